"""Who sees an incident: its page, its files and the lists. Everyone else gets 404,
and every look at an incident is written to the audit log."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from core.roles import Role
from incidents import services
from incidents.models import Incident
from tests.conftest import make_member

from .conftest import png_upload, report

PEOPLE = [
    "reporter",
    "teacher",
    "esafety_lead",
    "esafety_lead_and_dsl",
    "dsl",
    "deputy_dsl",
    "head",
    "deputy",
    "governor",
    "trust_officer",
    "parent",
    "outsider",
]

# Who sees the whole record of an ordinary incident, and of one flagged safeguarding.
SEES_RECORD = {"esafety_lead", "esafety_lead_and_dsl", "dsl", "deputy_dsl", "head", "deputy", "trust_officer"}
SEES_FLAGGED_RECORD = {"esafety_lead_and_dsl", "dsl", "deputy_dsl", "head"}


@pytest.fixture
def people(request, school, reporter):
    def person(name):
        if name == "reporter":
            return reporter
        if name == "esafety_lead_and_dsl":
            return make_member(school, Role.ESAFETY_LEAD, Role.DSL)
        if name == "deputy_dsl":
            return make_member(school, Role.DEPUTY_DSL)
        return request.getfixturevalue(name)

    return person


def detail_url(incident):
    return reverse("incidents:detail", args=[incident.school.slug, incident.pk])


def evidence_url(incident, evidence):
    return reverse("incidents:evidence", args=[incident.school.slug, incident.pk, evidence.pk])


def log_url(school):
    return reverse("incidents:log", args=[school.slug])


def views_of(incident):
    return AuditEvent.objects.filter(
        object_type="incidents.incident",
        object_id=str(incident.pk),
        action__startswith="incident.",
        actor__isnull=False,
    ).filter(action__in=["incident.viewed", "incident.evidence_viewed"])


@pytest.mark.parametrize("who", PEOPLE)
def test_an_incident_page_opens_only_for_the_reporter_and_those_who_keep_the_log(who, people, incident, client_for):
    user = people(who)
    response = client_for(user).get(detail_url(incident))
    if who in SEES_RECORD:
        assert response.status_code == 200
        assert response.context["whole"] is True
        assert views_of(incident).filter(actor=user, action="incident.viewed").count() == 1
    elif who == "reporter":
        assert response.status_code == 200
        assert response.context["whole"] is False
    else:
        assert response.status_code == 404
        assert not views_of(incident).filter(actor=user).exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_an_evidence_file_downloads_only_for_the_reporter_and_those_who_keep_the_log(who, people, incident, client_for):
    evidence = incident.evidence.get()
    user = people(who)
    response = client_for(user).get(evidence_url(incident, evidence))
    if who in SEES_RECORD or who == "reporter":
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        assert response["Content-Disposition"].startswith("attachment;")
        assert views_of(incident).filter(actor=user, action="incident.evidence_viewed").count() == 1
    else:
        assert response.status_code == 404
        assert not views_of(incident).filter(actor=user).exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_a_safeguarding_incident_is_seen_only_by_the_dsl_and_the_head(who, people, flagged, client_for):
    user = people(who)
    response = client_for(user).get(detail_url(flagged))
    if who in SEES_FLAGGED_RECORD:
        assert response.status_code == 200
        assert response.context["whole"] is True
    elif who == "reporter":
        # The reporter still sees what they filed, and nothing of the triage.
        assert response.status_code == 200
        assert response.context["whole"] is False
        assert "Safeguarding" not in response.content.decode()
        assert [e.kind for e in response.context["entries"]] == ["reported"]
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("who", PEOPLE)
def test_the_log_lists_an_incident_only_to_those_who_may_see_it(who, people, school, incident, flagged, client_for):
    user = people(who)
    response = client_for(user).get(log_url(school))
    if who not in SEES_RECORD:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    listed = {i.reference for i in response.context["incidents"]}
    assert incident.reference in listed
    assert (flagged.reference in listed) == (who in SEES_FLAGGED_RECORD)


def test_the_e_safety_lead_does_not_see_a_flagged_incident_in_the_review_queue_or_log(
    school, head, esafety_lead, flagged, client_for
):
    services.change_status(incident=flagged, by=head, status="awaiting_review")
    assert flagged.reference not in client_for(esafety_lead).get(log_url(school)).content.decode()
    review = client_for(head).get(reverse("incidents:review", args=[school.slug]))
    assert flagged.reference in review.content.decode()


def test_a_reporter_sees_only_their_own_reports_in_my_reports(school, reporter, teacher, incident, client_for):
    mine = client_for(reporter).get(reverse("incidents:mine", args=[school.slug]))
    assert incident.reference in mine.content.decode()
    theirs = client_for(teacher).get(reverse("incidents:mine", args=[school.slug]))
    assert incident.reference not in theirs.content.decode()


def test_the_reporter_cannot_download_evidence_the_investigators_added(school, reporter, dsl, incident, client_for):
    added = services.add_evidence(incident=incident, by=dsl, evidence=png_upload(), description="Filter log")
    assert client_for(reporter).get(evidence_url(incident, added)).status_code == 404
    assert client_for(dsl).get(evidence_url(incident, added)).status_code == 200


def test_evidence_of_one_incident_is_not_found_under_another(school, reporter, head, incident, client_for):
    other = report(school, reporter)
    evidence = incident.evidence.get()
    assert client_for(head).get(evidence_url(other, evidence)).status_code == 404


def test_an_incident_of_another_school_is_not_found_under_ones_own(other_school, outsider, incident, client_for):
    url = reverse("incidents:detail", args=[other_school.slug, incident.pk])
    assert client_for(outsider).get(url).status_code == 404


@pytest.mark.parametrize(
    "name, who, allowed",
    [
        ("triage", "esafety_lead", False),
        ("triage", "teacher", False),
        ("triage", "reporter", False),
        ("triage", "trust_officer", False),
        ("close", "dsl", False),
        ("close", "esafety_lead", False),
        ("add_entry", "teacher", False),
        ("add_entry", "trust_officer", False),
        ("add_entry", "governor", False),
        ("add_to_report", "teacher", False),
        ("add_to_report", "head", False),
    ],
)
def test_people_without_the_right_cannot_act_on_an_incident(name, who, allowed, people, incident, client_for):
    user = people(who)
    url = reverse(f"incidents:{name}", args=[incident.school.slug, incident.pk])
    response = client_for(user).post(url, {"triage-severity": "low", "entry-kind": "note", "entry-text": "x"})
    assert response.status_code == 404
    assert incident.entries.count() == 2  # the report and its evidence, nothing more


def test_a_deputy_cannot_act_on_a_safeguarding_incident(school, deputy, flagged, client_for):
    url = reverse("incidents:add_entry", args=[school.slug, flagged.pk])
    response = client_for(deputy).post(url, {"entry-kind": "note", "entry-text": "Looked into it."})
    assert response.status_code == 404
    assert not Incident.objects.get(pk=flagged.pk).entries.filter(kind="note").exists()


def test_the_dsl_and_head_see_who_has_read_the_record(school, head, dsl, esafety_lead, incident, client_for):
    client_for(esafety_lead).get(detail_url(incident))
    client_for(esafety_lead).get(detail_url(incident))
    response = client_for(dsl).get(detail_url(incident))
    readers = {row["person"]: row["times"] for row in response.context["readers"]}
    assert readers[esafety_lead] == 2
    assert readers[dsl] == 1
    assert "Who has read this record" in response.content.decode()
    lead_page = client_for(esafety_lead).get(detail_url(incident))
    assert "readers" not in lead_page.context
    assert "Who has read this record" not in lead_page.content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, incident):
    response = client.get(detail_url(incident))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_a_member_of_staff_named_as_involved_never_sees_the_record(
    school, reporter, esafety_lead, dsl, head, client_for, django_capture_on_commit_callbacks
):
    from django.core import mail

    lead_membership = esafety_lead.memberships.get(school=school)
    with django_capture_on_commit_callbacks(execute=True):
        about_the_lead = report(school, reporter, category="misuse", staff=[lead_membership])
    assert [m.to for m in mail.outbox] == [[dsl.email]]  # the lead is not told of a report about them
    client = client_for(esafety_lead)
    assert client.get(detail_url(about_the_lead)).status_code == 404
    assert about_the_lead.reference not in client.get(log_url(school)).content.decode()
    assert client_for(dsl).get(detail_url(about_the_lead)).status_code == 200
    with pytest.raises(services.ValidationError):
        services.add_entry(incident=about_the_lead, by=esafety_lead, kind="note", text="Nothing to see")
    with pytest.raises(services.ValidationError) as error:
        services.triage(
            incident=about_the_lead, by=head, severity="high", safeguarding=False, investigator=esafety_lead
        )
    assert "not named as involved" in error.value.message_dict["investigator"][0]


@pytest.mark.parametrize("who", PEOPLE)
def test_the_record_pdf_downloads_only_for_those_who_see_the_whole_record(who, people, flagged, client_for):
    user = people(who)
    response = client_for(user).get(reverse("incidents:record_pdf", args=[flagged.school.slug, flagged.pk]))
    if who in SEES_FLAGGED_RECORD:
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF-")
        assert views_of(flagged).filter(actor=user).count() == 0  # exports are counted separately
        assert AuditEvent.objects.filter(action="incident.exported", actor=user, object_id=str(flagged.pk)).exists()
    else:
        assert response.status_code == 404
        assert not AuditEvent.objects.filter(action="incident.exported", actor=user).exists()
