"""Reporting, triage, the chronology and the head's sign-off."""

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from core.models import AuditEvent
from core.roles import Role
from incidents import services, tasks
from incidents.models import Incident, IncidentEntry, IncidentEvidence, IncidentNotification
from tests.conftest import make_member

from .conftest import png_upload, report

# --- Reporting ------------------------------------------------------------------------


@time_machine.travel("2026-03-10 09:00 +00:00", tick=False)
def test_references_count_up_per_school_and_year(school, other_school, reporter):
    first = report(school, reporter)
    second = report(school, reporter)
    elsewhere = report(other_school, make_member(other_school, Role.TEACHER))
    assert (first.reference, second.reference) == ("INC-2026-0001", "INC-2026-0002")
    assert elsewhere.reference == "INC-2026-0001"


def test_the_same_report_sent_twice_is_filed_once(school, reporter):
    first = report(school, reporter, submission_key="double-tap")
    again = report(school, reporter, submission_key="double-tap")
    assert first.pk == again.pk
    assert Incident.objects.count() == 1


def test_a_report_writes_its_first_chronology_entry_and_an_audit_event(school, reporter, pupil):
    incident = report(school, reporter, pupils=[pupil], location="ICT suite")
    entry = incident.entries.get()
    assert entry.kind == "reported"
    assert entry.data["location"] == "ICT suite"
    assert entry.data["pupils"] == [{"id": pupil.pk, "name": "Amelia Khan"}]
    assert AuditEvent.objects.filter(action="incident.reported", object_id=str(incident.pk)).exists()


def test_the_dsl_and_e_safety_lead_are_emailed_once_with_no_names(
    school, reporter, dsl, esafety_lead, head, pupil, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = report(school, reporter, pupils=[pupil])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([dsl.email, esafety_lead.email])
    message = mail.outbox[0]
    assert incident.reference in message.subject
    assert "Amelia" not in message.body and "Amelia Khan" not in message.body
    assert "group chat" not in message.body
    assert reverse("incidents:detail", args=[school.slug, incident.pk]) in message.body
    tasks.notify_incident_reported(incident.pk)  # a retry or a redelivery
    assert len(mail.outbox) == 2
    assert IncidentNotification.objects.count() == 2


def test_the_head_is_told_when_the_school_has_no_dsl_or_e_safety_lead(
    school, reporter, head, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report(school, reporter)
    assert [m.to for m in mail.outbox] == [[head.email]]


def test_nothing_is_emailed_if_the_report_is_not_saved(school, reporter, dsl, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        report(school, reporter, description="   ")
    assert mail.outbox == []


def test_a_governor_or_parent_cannot_report(school, governor, parent):
    for person in (governor, parent):
        with pytest.raises(ValidationError):
            report(school, person)


def test_a_pupil_of_another_school_cannot_be_linked(school, other_school, reporter):
    from tests.factories import PupilFactory

    stranger = PupilFactory(school=other_school)
    with pytest.raises(ValidationError) as error:
        report(school, reporter, pupils=[stranger])
    assert "pupils" in error.value.message_dict


# --- The reporter adds but never changes -------------------------------------------------


def test_the_reporter_can_add_a_note_and_evidence(school, reporter, incident, client_for):
    url = reverse("incidents:add_to_report", args=[school.slug, incident.pk])
    response = client_for(reporter).post(
        url, {"add-text": "The messages carried on at home.", "add-evidence": png_upload()}
    )
    assert response.status_code == 302
    addition = incident.entries.filter(kind="addition_by_reporter").last()
    assert addition.text == "The messages carried on at home."
    assert incident.evidence.count() == 2


def test_the_reporter_cannot_change_what_was_filed(school, reporter, head, incident, client_for):
    filed = incident.entries.get(kind="reported")
    url = reverse("incidents:add_to_report", args=[school.slug, incident.pk])
    client_for(reporter).post(url, {"add-text": "More.", "description": "Nothing happened", "category": "other"})
    services.triage(incident=incident, by=head, severity="low", safeguarding=False, category="misuse")
    incident.refresh_from_db()
    assert incident.description == "Unkind messages about a pupil in the class group chat."
    assert IncidentEntry.objects.get(pk=filed.pk).data == filed.data
    assert filed.data["category"] == "cyberbullying"


def test_a_chronology_entry_cannot_be_saved_again_or_deleted(incident):
    entry = incident.entries.first()
    entry.text = "Changed"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
    with pytest.raises(RuntimeError):
        IncidentEntry.objects.filter(pk=entry.pk).update(text="Changed")
    with pytest.raises(RuntimeError):
        IncidentEntry.objects.filter(pk=entry.pk).delete()
    evidence = incident.evidence.get()
    with pytest.raises(RuntimeError):
        evidence.save()
    with pytest.raises(RuntimeError):
        evidence.delete()
    assert IncidentEntry.objects.get(pk=entry.pk).text != "Changed"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_on_postgresql_a_raw_update_or_delete_of_the_chronology_fails(school, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    reporter = make_member(school, Role.TEACHER)
    incident = report(school, reporter, evidence=png_upload())
    entry = incident.entries.first()
    evidence = incident.evidence.get()
    for sql, pk in (
        ("UPDATE incidents_incidententry SET text = 'X' WHERE id = %s", entry.pk),
        ("DELETE FROM incidents_incidententry WHERE id = %s", entry.pk),
        ("UPDATE incidents_incidentevidence SET description = 'X' WHERE id = %s", evidence.pk),
        ("DELETE FROM incidents_incidentevidence WHERE id = %s", evidence.pk),
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    assert IncidentEntry.objects.get(pk=entry.pk).text == entry.text
    assert IncidentEvidence.objects.filter(pk=evidence.pk).exists()


# --- Triage, entries, status ----------------------------------------------------------------


def test_triage_sets_severity_and_writes_an_entry(school, head, esafety_lead, incident):
    lead = esafety_lead.memberships.get(school=school).user
    services.triage(incident=incident, by=head, severity="medium", safeguarding=False, investigator=lead)
    incident.refresh_from_db()
    assert (incident.status, incident.severity, incident.investigator) == ("triaged", "medium", lead)
    entry = incident.entries.get(kind="triage")
    assert entry.data["investigator"] == lead.full_name
    assert AuditEvent.objects.filter(action="incident.triaged").count() == 1


def test_only_an_authorised_person_can_investigate(school, head, teacher, esafety_lead, incident):
    with pytest.raises(ValidationError) as error:
        services.triage(incident=incident, by=head, severity="low", safeguarding=False, investigator=teacher)
    assert "investigator" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.triage(incident=incident, by=head, severity="high", safeguarding=True, investigator=esafety_lead)
    assert "DSL" in error.value.message_dict["investigator"][0]


def test_the_e_safety_lead_cannot_triage(esafety_lead, incident):
    with pytest.raises(ValidationError):
        services.triage(incident=incident, by=esafety_lead, severity="low", safeguarding=False)


def test_a_referral_needs_who_and_a_reference_number(school, dsl, incident, client_for):
    url = reverse("incidents:add_entry", args=[school.slug, incident.pk])
    response = client_for(dsl).post(url, {"entry-kind": "referral", "entry-referred_to": "lado", "entry-text": "Rang"})
    assert response.status_code == 400
    assert "reference number" in response.context["entry_form"].errors["reference_number"][0]
    response = client_for(dsl).post(
        url,
        {
            "entry-kind": "referral",
            "entry-referred_to": "lado",
            "entry-reference_number": "LADO/2026/114",
            "entry-text": "Spoke to the LADO.",
        },
    )
    assert response.status_code == 302
    entry = incident.entries.get(kind="referral")
    assert (entry.referred_to, entry.reference_number) == ("lado", "LADO/2026/114")
    # The audit log says a referral was added, never to whom or its reference number.
    line = AuditEvent.objects.get(action="incident.referral")
    assert "LADO" not in line.summary and "114" not in line.summary and "LADO" not in str(line.data)


def test_the_status_cannot_move_before_triage_or_to_closed(school, esafety_lead, head, incident):
    with pytest.raises(ValidationError):
        services.change_status(incident=incident, by=esafety_lead, status="investigating")
    services.triage(incident=incident, by=head, severity="low", safeguarding=False)
    with pytest.raises(ValidationError):
        services.change_status(incident=incident, by=esafety_lead, status="closed")
    services.change_status(incident=incident, by=esafety_lead, status="investigating")
    assert incident.entries.filter(kind="status_change").get().data["to_label"] == "Being investigated"


# --- The head's sign-off ---------------------------------------------------------------------


def test_closing_needs_an_outcome_and_the_head(school, head, dsl, incident, client_for):
    services.triage(incident=incident, by=dsl, severity="low", safeguarding=False)
    services.change_status(incident=incident, by=dsl, status="awaiting_review")
    with pytest.raises(ValidationError):
        services.close(incident=incident, by=dsl, outcome="Done.")
    url = reverse("incidents:close", args=[school.slug, incident.pk])
    response = client_for(head).post(url, {"close-outcome": ""})
    assert response.status_code == 400
    assert response.context["close_form"].errors["outcome"]
    response = client_for(head).post(url, {"close-outcome": "Talked to the class; parents told."})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.closed_by) == ("closed", head)
    assert incident.entries.last().kind == "outcome"
    with pytest.raises(ValidationError):
        services.add_entry(incident=incident, by=dsl, kind="note", text="Later")


def test_a_breach_cannot_be_closed_before_the_ico_decision(school, head, reporter):
    incident = report(school, reporter, category="data_sent_in_error", personal_data_breach=True)
    services.triage(incident=incident, by=head, severity="medium", safeguarding=False)
    with pytest.raises(ValidationError, match="ICO"):
        services.close(incident=incident, by=head, outcome="Recalled the email.")
    with pytest.raises(ValidationError):
        services.record_ico_decision(incident=incident, by=head, decision="reported", reason="Serious")
    services.record_ico_decision(
        incident=incident, by=head, decision="not_reported", reason="One parent's address; recalled in minutes."
    )
    services.close(incident=incident, by=head, outcome="Recalled the email.")
    incident.refresh_from_db()
    assert incident.ico_decision == "not_reported"
    assert incident.entries.get(kind="ico_decision").data["within_72_hours"] is True


# --- Staff misuse -----------------------------------------------------------------------------


def test_the_head_classes_staff_misuse_after_weighing_the_factors(school, head, dsl, reporter, client_for):
    staff_member = make_member(school, Role.TEACHER)
    incident = report(school, reporter, category="misuse", staff=[staff_member.memberships.get(school=school)])
    services.triage(incident=incident, by=dsl, severity="medium", safeguarding=False)
    url = reverse("incidents:misuse", args=[school.slug, incident.pk])
    response = client_for(head).post(url, {"misuse-classification": "serious"})
    assert response.status_code == 400
    assert response.context["misuse_form"].errors["sanction"]
    response = client_for(head).post(
        url,
        {
            "misuse-classification": "serious",
            "misuse-sanction": "Written warning.",
            "misuse-coercion": "None: acted alone.",
            "misuse-environment": "Viewed in the staff room only.",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.misuse_classification == "serious"
    entry = incident.entries.get(kind="misuse_classification")
    assert [f["label"] for f in entry.data["factors"]] == ["Coercion", "Environment"]
    assert entry.text == "Written warning."
    with pytest.raises(ValidationError):
        services.classify_misuse(incident=incident, by=dsl, classification="mild", sanction="Verbal warning")


def test_misuse_cannot_be_classified_without_a_member_of_staff(school, head, incident):
    services.triage(incident=incident, by=head, severity="low", safeguarding=False)
    with pytest.raises(ValidationError, match="Name the member of staff"):
        services.classify_misuse(incident=incident, by=head, classification="mild", sanction="Verbal warning")
