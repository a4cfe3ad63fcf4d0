"""Private files on S3-compatible object storage (a real server: moto, started on this
machine by tests/object_storage.py). Uploads go into the bucket, downloads come back
through the portal's own views and permission checks, and nothing in the bucket can be
read without credentials."""

import datetime
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements.models import PaperScan, SignedDocument
from core.s3 import PrivateS3Storage
from core.storage import private_storage
from incidents.models import IncidentEvidence
from tests.agreements.pdf_helpers import pdf_text, published_staff_form, sign
from tests.downloads import body_of
from tests.incidents.conftest import png_bytes, png_upload

ROOT = Path(__file__).resolve().parents[2]
SCAN = b"%PDF-1.7\n% the scan of a paper form\n%%EOF\n"


def _member_of(school, user):
    return user.memberships.get(school=school)


def test_a_paper_scan_goes_into_the_private_bucket_and_comes_back_only_through_the_portal(
    object_storage, school, office, teacher, outsider, client_for
):
    form = published_staff_form(school)
    client = client_for(office)
    response = client.post(
        reverse("agreements:paper", args=[school.slug]),
        {
            "typed_name": "Sam Jones",
            "signed_on": "02/03/2026",
            "submission_key": "paper-s3",
            "agreement": form.pk,
            "staff_member": _member_of(school, teacher).pk,
            "scan": SimpleUploadedFile("scan.pdf", SCAN, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302

    scan = PaperScan.objects.get()
    key = f"private/{scan.file.name}"
    assert object_storage.keys("private/") == [key]
    assert object_storage.read(key) == SCAN
    assert object_storage.anonymous_get(key) == 403
    assert object_storage.public_grants(key) == []

    url = reverse("agreements:paper_scan", args=[school.slug, scan.pk])
    download = client.get(url)
    assert download.status_code == 200
    assert body_of(download) == SCAN
    assert client_for(outsider).get(url).status_code == 404


def test_a_signed_pdf_made_by_the_task_is_kept_in_the_bucket_and_downloaded_through_the_view(
    object_storage, school, teacher, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(published_staff_form(school), teacher)

    document = SignedDocument.objects.get(signature=signature)
    key = f"private/{document.file.name}"
    assert object_storage.keys("private/signed/") == [key]
    assert object_storage.anonymous_get(key) == 403

    client = client_for(teacher)
    response = client.get(reverse("agreements:pdf", args=[school.slug, signature.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    data = body_of(response)
    assert data == object_storage.read(key)
    assert signature.verification_code in pdf_text(data)

    check = client.post("/verify/", {"document": SimpleUploadedFile("a.pdf", data, content_type="application/pdf")})
    assert "This is a document the portal issued, and it is unchanged" in check.content.decode()


def test_incident_evidence_goes_into_the_bucket_and_only_the_reporter_and_the_school_read_it(
    object_storage, school, teacher, head, outsider, client_for
):
    client = client_for(teacher)
    response = client.post(
        reverse("incidents:report", args=[school.slug]),
        {
            "category": "cyberbullying",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "description": "A pupil showed me unkind messages.",
            "submission_key": "s3-evidence",
            "evidence": png_upload(),
            "taken_at": (timezone.localtime() - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]

    evidence = IncidentEvidence.objects.get()
    key = f"private/{evidence.file.name}"
    assert object_storage.keys("private/incidents/") == [key]
    assert object_storage.anonymous_get(key) == 403

    url = reverse("incidents:evidence", args=[school.slug, evidence.incident_id, evidence.pk])
    assert body_of(client.get(url)) == png_bytes()
    assert body_of(client_for(head).get(url)) == png_bytes()
    assert client_for(outsider).get(url).status_code == 404


def test_a_school_logo_in_the_bucket_is_not_public_either(object_storage, school, head, client_for):
    school.logo.save("logo.png", SimpleUploadedFile("logo.png", png_bytes()))

    key = f"media/{school.logo.name}"
    assert object_storage.keys("media/") == [key]
    assert object_storage.anonymous_get(key) == 403
    response = client_for(head).get(reverse("schools:logo", args=[school.slug]))
    assert body_of(response) == png_bytes()


def test_files_in_object_storage_have_no_url(object_storage):
    with pytest.raises(ValueError, match="no URL"):
        private_storage().url("signed/2026/03/ABC.pdf")


def test_object_storage_never_uploads_with_a_public_acl(s3_bucket):
    with pytest.raises(ImproperlyConfigured, match="public ACL"):
        PrivateS3Storage(**s3_bucket.storage_options("private"), default_acl="public-read")


def _storages_in_a_process_with(environment) -> str:
    script = (
        "import django; django.setup();"
        "from django.core.files.storage import storages;"
        "p = storages['private'];"
        "print(type(storages['default']).__name__, type(p).__name__,"
        " getattr(p, 'bucket_name', '-'), getattr(p, 'location', '-'), getattr(p, 'endpoint_url', '-'))"
    )
    inherited = {k: v for k, v in os.environ.items() if k != "AWS_STORAGE_BUCKET_NAME"}
    env = {**inherited, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x" * 50, **environment}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.split()


def test_naming_a_bucket_in_the_environment_puts_default_and_private_media_in_it(s3_bucket):
    default, private, bucket, location, endpoint = _storages_in_a_process_with(s3_bucket.environment())

    assert (default, private) == ("PrivateS3Storage", "PrivateS3Storage")
    assert (bucket, location, endpoint) == (s3_bucket.name, "private", s3_bucket.endpoint)


def test_without_a_bucket_files_stay_on_this_machine():
    default, private, *_ = _storages_in_a_process_with({})

    assert (default, private) == ("FileSystemStorage", "PrivateStorage")


@pytest.mark.django_db(transaction=True)
def test_two_runs_making_the_same_pdf_at_once_leave_the_winners_file_in_the_bucket(object_storage, school, teacher):
    """The PDF task is queued at signing and again when someone asks for the PDF before
    it is ready, so two workers may make the same PDF at once. Object storage has no
    atomic create-if-absent: with one shared file name, the run that lost the race
    deleted the file the winner's row points at."""
    import threading

    from django.db import connection

    from agreements.tasks import render_signed_pdf

    signature = sign(published_staff_form(school), teacher, queue_pdf=False)
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            render_signed_pdf(signature.pk)
        finally:
            connection.close()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()

    document = SignedDocument.objects.get(signature=signature)
    key = f"private/{document.file.name}"
    assert object_storage.keys("private/signed/") == [key]  # the loser removed only its own
    assert hashlib.sha256(object_storage.read(key)).hexdigest() == document.sha256
