"""The export through the real path: the page queues the task on Redis, a real Celery
worker builds the ZIP, the page shows it ready, and it downloads once."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config.celery import app as celery_app
from privacy.models import ExportStatus, SubjectAccessExport

from .conftest import OTHER_LAST, every_text, export_json, open_zip


@pytest.mark.worker
@pytest.mark.skipif(not settings.TEST_REDIS_URL, reason="needs REDIS_URL (CI sets it)")
def test_the_worker_builds_the_export_the_page_queued(client_for, school, head, history, transactional_db):
    assert celery_app.conf.broker_url.startswith("redis://")
    client = client_for(head)
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
        response = client.post(
            f"/s/{school.slug}/data-protection/exports/new/", {"subject_kind": "pupil", "pupil": history.pupil.pk}
        )
        assert response.status_code == 302
        export = SubjectAccessExport.objects.get()
        # No worker yet: queued, and the page says it is being prepared.
        assert export.status == ExportStatus.QUEUED
        assert "Preparing the export" in client.get(response["Location"]).content.decode()
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                export.refresh_from_db()
                if export.status not in (ExportStatus.QUEUED, ExportStatus.BUILDING):
                    break
                time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager = True
    assert export.status == ExportStatus.READY
    assert "Download the export" in client.get(response["Location"]).content.decode()
    download = client.post(f"/s/{school.slug}/data-protection/exports/{export.pk}/download/", {"reviewed": "1"})
    files = open_zip(b"".join(download.streaming_content))
    assert export_json(files)["about"]["name"] == history.pupil.full_name
    assert OTHER_LAST not in every_text(files)
