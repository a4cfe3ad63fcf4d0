"""With a real Celery worker on Redis: if no worker is running the signature is still
saved and the person sees "being prepared"; when the worker comes back, the PDF is made."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements.models import Signature, SignedDocument
from config.celery import app as celery_app

from .pdf_helpers import STATEMENTS, pdf_text, private_media, published_staff_form  # noqa: F401


@pytest.mark.worker
@pytest.mark.usefixtures("private_media")
@pytest.mark.skipif(not settings.TEST_REDIS_URL, reason="needs REDIS_URL (CI sets it)")
def test_signing_with_the_worker_down_saves_the_signature_and_the_pdf_follows_when_it_returns(
    client_for, school, teacher, transactional_db
):
    assert celery_app.conf.broker_url.startswith("redis://")
    form = published_staff_form(school)
    client = client_for(teacher)
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")

        # No worker is running: the teacher signs in the browser.
        data = {"typed_name": "Jane Rebecca Smith", "submission_key": "worker-test-1"}
        data["section_1"] = "on"  # a form without sections: one tick for all its statements
        response = client.post(f"/s/{school.slug}/sign/{form.pk}/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
        signature = Signature.objects.get(submission_key="worker-test-1")

        pending = client.get(f"/s/{school.slug}/signatures/{signature.pk}/pdf/")
        assert pending.status_code == 202
        assert "being prepared" in pending.content.decode()
        assert not SignedDocument.objects.exists()

        # The worker comes back and picks up the queued task; the email of the PDF is
        # queued once the PDF is stored, so wait for both before the worker stops.
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (
                SignedDocument.objects.filter(signature=signature).exists() and mail.outbox
            ):
                time.sleep(0.1)
    finally:
        celery_app.conf.task_always_eager = True

    response = client.get(f"/s/{school.slug}/signatures/{signature.pk}/pdf/")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF-")
    assert signature.verification_code in pdf_text(data)
    assert SignedDocument.objects.filter(signature=signature).count() == 1
    assert [m.to for m in mail.outbox] == [[teacher.email]]
    # The downloaded file is the one /verify/ recognises.
    check = client.post("/verify/", {"document": SimpleUploadedFile("a.pdf", data, content_type="application/pdf")})
    assert "This is a document the portal issued, and it is unchanged" in check.content.decode()
