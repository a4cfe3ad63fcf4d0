"""Subject access exports: everything about one person, nothing about another child,
made by the worker, downloaded once, removed after 30 days."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from core.models import AuditEvent
from core.subject_access import Redactor
from privacy import exports, services
from privacy.models import ExportStatus, SubjectAccessExport
from privacy.tasks import remove_expired_subject_access_exports

from .conftest import (
    OTHER_FIRST,
    OTHER_LAST,
    REPORTER_FIRST,
    REPORTER_LAST,
    every_text,
    export_json,
    open_zip,
    pdf_text,
)

pytestmark = pytest.mark.django_db


def start(client, school, django_capture_on_commit_callbacks, **data):
    """Start an export on the page, with the task run as the commit queues it."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/s/{school.slug}/data-protection/exports/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return SubjectAccessExport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def download(client, school, export, **data):
    return client.post(f"/s/{school.slug}/data-protection/exports/{export.pk}/download/", {"reviewed": "1", **data})


def test_a_pupils_export_holds_each_record_about_them_and_nothing_about_another_child(
    client_for, school, head, history, django_capture_on_commit_callbacks
):
    client = client_for(head)
    export = start(client, school, django_capture_on_commit_callbacks, subject_kind="pupil", pupil=history.pupil.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert export.steps_done == export.steps_total > 1

    response = download(client, school, export)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    files = open_zip(b"".join(response.streaming_content))
    assert {"index.html", "summary.pdf", "data.json", "TO-REVIEW.txt"} <= set(files)

    data = export_json(files)
    assert data["about"] == {"kind": "pupil", "name": "Amelia Khan"}
    # The agreement signed for her, with its PDF.
    codes = [r["verification_code"] for r in data["agreements"]]
    assert history.signature.verification_code in codes
    signed = files[f"signed/{history.signature.verification_code}.pdf"]
    assert history.signature.verification_code in pdf_text(signed)
    # Her consent history: both records, the later one replacing the first, each with its PDF.
    consent = [r for r in data["consent"] if r["type"] == "photo consent"]
    assert [r["verification_code"] for r in consent] == [r.verification_code for r in history.consent_records]
    assert consent[1]["replaces_earlier_record"] is True
    assert consent[0]["answers"]["The school website"] == "yes"
    assert consent[1]["answers"]["The school website"] == "no"
    for record in history.consent_records:
        assert record.verification_code in pdf_text(files[f"consent/{record.verification_code}.pdf"])
    # The loan, its device and the signed receipt.
    (loan,) = data["equipment"]
    assert loan["items"][0]["serial_number"] == "SAR-LAPTOP-1"
    receipt = history.loan.receipt_signature
    assert loan["receipt_pdf"] == f"signed/{receipt.verification_code}.pdf"
    assert receipt.verification_code in pdf_text(files[loan["receipt_pdf"]])
    # The incident, with the other child's name withheld and the reporter not named.
    (incident,) = data["incidents"]
    assert incident["reference"] == history.incident.reference
    assert incident["description"] == "[another pupil] sent unkind messages to Amelia in the class chat."
    assert incident["other_pupils_involved"] == 1
    assert incident["reported_by"].startswith("[withheld")
    assert incident["evidence_files_withheld"] == 1
    assert any(history.incident.reference in line for line in data["to_review_before_release"])

    # Nothing about the other child (nor the reporter) anywhere: the JSON, the HTML,
    # the summary PDF and every signed PDF, parsed back.
    text = every_text(files)
    for name in (OTHER_FIRST, OTHER_LAST, REPORTER_FIRST, REPORTER_LAST):
        assert name not in text
    for code in (history.other_signature.verification_code, history.other_consent.verification_code):
        assert code not in text
    assert not any(code in name for name in files for code in [history.other_signature.verification_code])
    # The summary PDF reads as the record.
    summary = pdf_text(files["summary.pdf"])
    assert "Amelia Khan" in summary
    assert history.incident.reference in summary
    assert "To check before release" in summary


def test_a_carers_export_holds_what_they_signed_and_gave(
    client_for, school, head, history, django_capture_on_commit_callbacks
):
    client = client_for(head)
    from schools.models import Guardianship

    guardianship = Guardianship.objects.get(carer=history.parent, pupil=history.pupil)
    export = start(client, school, django_capture_on_commit_callbacks, subject_kind="carer", carer=guardianship.pk)
    files = open_zip(b"".join(download(client, school, export).streaming_content))
    data = export_json(files)
    assert data["about"]["kind"] == "carer"
    assert data["school"][0]["email"] == history.parent.email
    assert history.signature.verification_code in [r["verification_code"] for r in data["agreements"]]
    assert len([r for r in data["consent"] if r["type"] == "photo consent"]) == 2
    assert "incidents" not in data  # a carer is not named in the incident log
    text = every_text(files)
    assert OTHER_LAST not in text


def test_a_staff_members_export_names_no_pupil_of_an_incident_they_are_named_in(
    client_for, school, head, history, django_capture_on_commit_callbacks
):
    from incidents import services as incidents
    from schools.models import Membership

    teacher = history.incident.reported_by
    # The reporter's own export: they reported it, so they are named; the pupils are not.
    membership = Membership.objects.get(user=teacher, school=school)
    incidents_before = history.incident.staff.count()
    assert incidents_before == 0 and incidents  # reported, not involved
    client = client_for(head)
    export = start(client, school, django_capture_on_commit_callbacks, subject_kind="staff", staff=membership.pk)
    data = export_json(open_zip(b"".join(download(client, school, export).streaming_content)))
    (incident,) = data["incidents"]
    assert incident["reported_by"] == f"{REPORTER_FIRST} {REPORTER_LAST}"
    assert "Amelia" not in incident["description"] and OTHER_FIRST not in incident["description"]
    assert incident["other_pupils_involved"] == 2


def test_the_export_is_downloaded_once_and_each_download_is_audited(
    client_for, school, head, history, django_capture_on_commit_callbacks
):
    client = client_for(head)
    export = start(client, school, django_capture_on_commit_callbacks, subject_kind="pupil", pupil=history.pupil.pk)
    # The things to check must be acknowledged first.
    refused = client.post(f"/s/{school.slug}/data-protection/exports/{export.pk}/download/")
    assert refused.status_code == 302
    export.refresh_from_db()
    assert export.downloaded_at is None

    first = download(client, school, export)
    assert first.status_code == 200
    b"".join(first.streaming_content)
    second = download(client, school, export)
    assert second.status_code == 302
    page = client.get(second["Location"]).content.decode()
    assert "already been downloaded" in page
    export.refresh_from_db()
    assert export.status == ExportStatus.DOWNLOADED and export.downloaded_by == head
    assert AuditEvent.objects.filter(action="privacy.export_downloaded", object_id=str(export.pk)).count() == 1
    assert AuditEvent.objects.filter(action="privacy.export_started", object_id=str(export.pk)).count() == 1
    # The audit line names no one.
    summary = AuditEvent.objects.get(action="privacy.export_downloaded").summary
    assert "Amelia" not in summary


def test_the_service_refuses_a_second_claim(school, head, history, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export = services.start_export(school=school, by=head, subject_kind="pupil", pupil=history.pupil)
    export.refresh_from_db()
    services.claim_download(export=export, by=head)
    with pytest.raises(services.AlreadyDownloaded):
        services.claim_download(export=export, by=head)


def test_an_export_is_removed_30_days_after_it_was_made(school, head, history, django_capture_on_commit_callbacks):
    made = timezone.now()
    with time_machine.travel(made, tick=False), django_capture_on_commit_callbacks(execute=True):
        export = services.start_export(school=school, by=head, subject_kind="pupil", pupil=history.pupil)
    export.refresh_from_db()
    stored = export.file.name
    assert export.file.storage.exists(stored)

    with time_machine.travel(made + datetime.timedelta(days=29, hours=23), tick=False):
        assert remove_expired_subject_access_exports() == 0
    assert export.file.storage.exists(stored)

    with time_machine.travel(made + datetime.timedelta(days=30, minutes=1), tick=False):
        assert remove_expired_subject_access_exports() == 1
        assert remove_expired_subject_access_exports() == 0  # once
    export.refresh_from_db()
    assert not export.file.storage.exists(stored)
    assert export.status == ExportStatus.REMOVED and not export.file and export.to_review == []
    assert AuditEvent.objects.filter(action="privacy.export_removed", object_id=str(export.pk)).count() == 1


def test_a_removed_export_cannot_be_downloaded(client_for, school, head, history, django_capture_on_commit_callbacks):
    client = client_for(head)
    export = start(client, school, django_capture_on_commit_callbacks, subject_kind="pupil", pupil=history.pupil.pk)
    exports.remove_expired(now=timezone.now() + datetime.timedelta(days=31))
    assert download(client, school, export).status_code == 302
    export.refresh_from_db()
    assert export.downloaded_at is None


def test_the_export_page_shows_progress_while_the_worker_builds(client_for, school, head, history):
    # Queued, not yet built (no on-commit callbacks run): the page polls for progress.
    client = client_for(head)
    response = client.post(
        f"/s/{school.slug}/data-protection/exports/new/", {"subject_kind": "pupil", "pupil": history.pupil.pk}
    )
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "<progress" in html and "hx-get" in html
    export = SubjectAccessExport.objects.get()
    assert export.status == ExportStatus.QUEUED
    exports.build(export.pk)
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "Download the export" in fragment and "hx-get" not in fragment


def test_redactor_replaces_whole_names_only():
    class P:
        def __init__(self, first, last):
            self.first_name, self.last_name, self.full_name = first, last, f"{first} {last}"

    redact = Redactor.for_pupils([P("Al", "Ng")])
    assert redact("Al Ng and Alice met Al.") == ("[another pupil] and Alice met [another pupil].", True)
    assert redact("Nothing here") == ("Nothing here", False)
