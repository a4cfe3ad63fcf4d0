"""With a real Celery worker on Redis: the printed list of who has not signed waits
for the worker (the page says so), then the worker makes it and the page offers it."""

import io
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from aup.models import Audience
from config.celery import app as celery_app
from core.models import PreparedFile

from .pdf_helpers import pdf_text
from .test_compliance_audiences import publish_forms
from .test_drilldown_scale import add_pupils, prepared_media  # noqa: F401 (fixture)


@pytest.mark.worker
@pytest.mark.usefixtures("prepared_media")
@pytest.mark.skipif(not settings.TEST_REDIS_URL, reason="needs REDIS_URL (CI sets it)")
def test_the_worker_makes_the_printed_list_and_the_page_offers_it(client_for, school, head, transactional_db):
    assert celery_app.conf.broker_url.startswith("redis://")
    form = publish_forms(school, head, (Audience.PARENTS,))[Audience.PARENTS]
    add_pupils(school, form, 5, signed_every=5)  # Pupil000 signed for: 4 outstanding
    client = client_for(head)
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
        response = client.post(reverse("agreements:compliance_print", args=[school.slug, form.pk]))
        assert response.status_code == 302
        progress_url = response["Location"]
        waiting = client.get(progress_url).content.decode()
        assert "Waiting to start" in waiting
        assert 'hx-trigger="every 2s"' in waiting

        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not PreparedFile.objects.filter(status="ready").exists():
                time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager = True

    prepared = PreparedFile.objects.get()
    assert (prepared.status, prepared.done, prepared.total) == ("ready", 4, 4)
    ready = client.get(progress_url).content.decode()
    assert "Download the PDF" in ready and "every 2s" not in ready
    response = client.get(reverse("agreements:compliance_printed", args=[school.slug, prepared.pk]))
    data = b"".join(response.streaming_content)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = pdf_text(data)
    assert all(f"Pupil00{i}, Sam" in text for i in (1, 2, 3, 4))
    assert "Pupil000" not in text
