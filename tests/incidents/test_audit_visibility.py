"""The audit log never tells anyone about an incident they may not open: not a deputy
head about a safeguarding referral, never a member of staff named in an allegation, and
no one at all to whom it was referred or under what reference number."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from core.roles import Role
from incidents import services
from tests.conftest import make_member

from .conftest import report

# Everyone the audit log opens for; they differ only in which incidents they may open.
AUDIT_READERS = ["head", "deputy", "trust_officer"]
OPENS_FLAGGED = {"head"}

FILTERS = ["", "incident.", "incident.referral"]


def audit_page(client, school, action=""):
    url = reverse("audit:log", args=[school.slug])
    response = client.get(url, {"action": action} if action else {})
    assert response.status_code == 200
    return response


def lines_about(response, incident):
    return [e for e in response.context["page"] if e.object_id == str(incident.pk) and e.action.startswith("incident.")]


@pytest.fixture
def referred(school, reporter, head, dsl, pupil):
    """A safeguarding incident the DSL has referred to the police."""
    made = report(school, reporter, pupils=[pupil])
    services.triage(incident=made, by=head, severity="high", safeguarding=True)
    services.add_entry(
        incident=made, by=dsl, kind="referral", text="Rang 101.", referred_to="police", reference_number="POL-77311"
    )
    return made


@pytest.mark.parametrize("action", FILTERS)
@pytest.mark.parametrize("who", AUDIT_READERS)
def test_the_audit_log_shows_lines_about_a_safeguarding_incident_only_to_those_who_may_open_it(
    who, action, request, school, referred, client_for
):
    user = request.getfixturevalue(who)
    response = audit_page(client_for(user), school, action)
    shown = lines_about(response, referred)
    if who in OPENS_FLAGGED:
        assert shown, "the head opens the incident, so sees its audit lines"
    else:
        assert shown == []
        assert referred.reference not in response.content.decode()


def test_a_deputy_named_in_an_allegation_never_sees_its_lines_in_the_audit_log(
    school, reporter, head, dsl, pupil, client_for
):
    named = make_member(school, Role.DEPUTY)
    colleague = make_member(school, Role.DEPUTY)
    allegation = report(school, reporter, pupils=[pupil], category="staff_misuse")
    services.triage(incident=allegation, by=head, severity="high", safeguarding=False, staff=[named.memberships.get()])
    services.add_entry(
        incident=allegation,
        by=head,
        kind="referral",
        text="Spoke to the LADO.",
        referred_to="lado",
        reference_number="LADO-5521",
    )
    for action in FILTERS:
        page = audit_page(client_for(named), school, action)
        assert lines_about(page, allegation) == []
        assert allegation.reference not in page.content.decode()
    # A deputy not named in it opens the incident, so reads its lines.
    assert lines_about(audit_page(client_for(colleague), school), allegation)


def test_a_head_named_as_involved_does_not_see_the_incidents_lines(school, reporter, dsl, pupil, client_for):
    named_head = make_member(school, Role.HEADTEACHER)
    allegation = report(school, reporter, pupils=[pupil])
    services.triage(
        incident=allegation, by=dsl, severity="high", safeguarding=True, staff=[named_head.memberships.get()]
    )
    assert lines_about(audit_page(client_for(named_head), school, "incident."), allegation) == []


def test_no_audit_line_names_a_referral_target_or_its_reference_number(school, referred, head, client_for):
    lines = AuditEvent.objects.filter(object_id=str(referred.pk), action__startswith="incident.")
    assert lines.filter(action="incident.referral").exists()
    for line in lines:
        text = f"{line.summary} {line.object_repr} {line.data}"
        assert "POL-77311" not in text
        assert "police" not in text.lower()
        assert "safeguarding" not in line.summary.lower()
    # The head, who may open the record, reads the detail there and not in the log.
    page = audit_page(client_for(head), school, "incident.").content.decode()
    assert "POL-77311" not in page


@pytest.mark.parametrize("action", FILTERS)
@pytest.mark.parametrize("who", ["outsider", "dsl", "esafety_lead", "teacher", "reporter", "governor", "parent"])
def test_the_audit_log_and_its_filters_are_not_found_for_anyone_else(
    who, action, request, school, referred, client_for
):
    """The head of another school; and in this school, people who may open the
    incident but not the audit log (the DSL), and everyone else."""
    url = reverse("audit:log", args=[school.slug])
    response = client_for(request.getfixturevalue(who)).get(url, {"action": action} if action else {})
    assert response.status_code == 404
    assert referred.reference not in response.content.decode()
