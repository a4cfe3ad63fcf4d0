"""Retention: child protection records until the youngest pupil's date of birth plus
25 years, others 6 years after closing; listed by a command, never deleted by hand."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from incidents import services
from incidents.models import Incident, IncidentEntry
from incidents.retention import add_years, retention_for
from tests.factories import PupilFactory

from .conftest import report

pytestmark = pytest.mark.django_db


def test_a_safeguarding_incident_is_kept_until_the_youngest_pupils_birth_plus_25_years(school, head, reporter):
    older = PupilFactory(school=school, date_of_birth=datetime.date(2014, 5, 1))
    younger = PupilFactory(school=school, date_of_birth=datetime.date(2016, 2, 29))
    incident = report(school, reporter, pupils=[older, younger])
    incident = services.triage(incident=incident, by=head, severity="high", safeguarding=True)
    retention = retention_for(incident)
    assert retention.keep_until == datetime.date(2041, 2, 28)
    assert "25 years" in retention.rule


def test_a_safeguarding_incident_with_a_missing_date_of_birth_has_no_date_and_is_kept(school, head, reporter):
    incident = report(school, reporter, pupils=[PupilFactory(school=school, date_of_birth=None)])
    incident = services.triage(incident=incident, by=head, severity="high", safeguarding=True)
    assert retention_for(incident).keep_until is None


def test_other_incidents_are_kept_six_years_after_closing(school, head, reporter):
    incident = report(school, reporter)
    assert retention_for(incident).keep_until is None  # open: kept
    services.triage(incident=incident, by=head, severity="low", safeguarding=False)
    incident = services.close(incident=incident, by=head, outcome="Spoken to; filter updated.")
    closed_on = incident.closed_at.date()
    assert retention_for(incident).keep_until == add_years(closed_on, 6)


def test_the_incident_page_shows_its_retention_date_and_no_delete_button(client_for, head, school, pupil, reporter):
    pupil.date_of_birth = datetime.date(2015, 9, 3)
    pupil.save()
    incident = report(school, reporter, pupils=[pupil])
    services.triage(incident=incident, by=head, severity="high", safeguarding=True)
    html = client_for(head).get(reverse("incidents:detail", args=[school.slug, incident.pk])).content.decode()
    assert "Kept until" in html and "03/09/2040" in html
    assert "delete" not in html.lower().replace("never deleted", "").replace("nothing is deleted", "")


def test_the_command_lists_incidents_past_retention_and_deletes_nothing(school, head, reporter, time_machine):
    time_machine.move_to(datetime.datetime(2019, 1, 10, 12, 0, tzinfo=datetime.UTC), tick=False)
    old = report(school, reporter)
    services.triage(incident=old, by=head, severity="low", safeguarding=False)
    services.close(incident=old, by=head, outcome="Resolved.")
    young = report(school, reporter, pupils=[PupilFactory(school=school, date_of_birth=datetime.date(2012, 1, 1))])
    services.triage(incident=young, by=head, severity="high", safeguarding=True)
    time_machine.move_to(datetime.datetime(2026, 1, 10, 12, 0, tzinfo=datetime.UTC), tick=False)
    out = io.StringIO()
    call_command("incidents_retention", stdout=out)
    text = out.getvalue()
    assert old.reference in text and young.reference not in text
    assert "1 incident past retention. Dry run: nothing deleted." in text
    entries = IncidentEntry.objects.count()
    with pytest.raises(CommandError, match="Nothing was destroyed"):
        call_command("incidents_retention", "--confirm")
    assert Incident.objects.count() == 2 and IncidentEntry.objects.count() == entries
