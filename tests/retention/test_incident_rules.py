"""Incidents on the schedule: a closed incident 6 years on, and a safeguarding incident
at its youngest linked pupil's date of birth + 25 years, are listed for a person to
review, never destroyed by approval; an open one, or one under a legal hold, is not
listed."""

import datetime

import time_machine

from incidents import services as incidents
from incidents.models import Incident
from retention import services
from retention.models import ReviewItem
from tests.factories import PupilFactory, UserFactory


def _incident(school, reference, *, head, closed=None, safeguarding=False, pupils=()):
    """An incident triaged by the head (the safeguarding flag and pupils change only
    through its chronology), then closed on `closed` if given."""
    incident = Incident.objects.create(
        school=school,
        reference=reference,
        reported_by=UserFactory(),
        submission_key=reference,
        occurred_at=datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC),
        description="Something happened online.",
        category="inappropriate_accidental",
    )
    incident = incidents.triage(
        incident=incident, by=head, severity="low", safeguarding=safeguarding, pupils=list(pupils)
    )
    if closed is not None:
        Incident.objects.filter(pk=incident.pk).update(
            closed_at=closed, status="closed", closed_by=head, outcome="Advice given to the pupil."
        )
    return incident


def _lines(review):
    return {(line.kind, line.school_id): line.count for line in (review.lines.all() if review else [])}


def test_incidents_are_listed_for_review_at_the_end_of_their_rules(trust, school, head):
    closed = datetime.datetime(2026, 4, 1, 10, tzinfo=datetime.UTC)
    _incident(school, "INC-2026-0001", head=head, closed=closed)
    _incident(school, "INC-2026-0002", head=head)  # still open: kept
    young = PupilFactory(school=school, date_of_birth=datetime.date(2015, 5, 1))
    older = PupilFactory(school=school, date_of_birth=datetime.date(2014, 5, 1))
    _incident(school, "INC-2026-0003", head=head, closed=closed, safeguarding=True, pupils=[young, older])
    unknown = PupilFactory(school=school, date_of_birth=None)
    _incident(school, "INC-2026-0004", head=head, closed=closed, safeguarding=True, pupils=[unknown])
    held = _incident(school, "INC-2026-0005", head=head, closed=closed)
    services.place_hold(school=school, subject="incident", identifier="inc-2026-0005", reason="Tribunal", user=head)

    with time_machine.travel(datetime.datetime(2032, 4, 2, 12, tzinfo=datetime.UTC), tick=False):
        lines = _lines(services.sweep_trust(trust))
    assert lines[("incidents.other_incidents", school.pk)] == 1  # not the open one, nor the held one
    assert ("incidents.child_protection", school.pk) not in lines

    with time_machine.travel(datetime.datetime(2040, 5, 2, 12, tzinfo=datetime.UTC), tick=False):
        review = services.sweep_trust(trust)
    lines = _lines(review)
    # The youngest pupil (born 1 May 2015) sets the date; an unknown birth date keeps it.
    assert lines[("incidents.child_protection", school.pk)] == 1
    assert not ReviewItem.objects.filter(review=review, kind__startswith="incidents.").exists()
    assert Incident.objects.filter(pk=held.pk).exists()
