"""/healthz reports the database, the broker and the worker's last heartbeat."""

import datetime
import time

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from config.celery import app as celery_app
from core.models import WorkerHeartbeat
from core.tasks import record_worker_heartbeat


def test_healthz_is_unhealthy_when_no_worker_has_reported(client, db):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["worker"] == {"ok": False, "last_heartbeat": None}


def test_healthz_is_healthy_with_a_recent_heartbeat(client, db):
    WorkerHeartbeat.objects.create(name="worker", beat_at=timezone.now(), hostname="worker-1")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["worker"]["ok"] is True


def test_healthz_calls_a_silent_worker_unhealthy_after_three_minutes(client, db):
    WorkerHeartbeat.objects.create(name="worker", beat_at=timezone.now(), hostname="worker-1")

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=3, seconds=30)):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["worker"]["ok"] is False
    assert response.json()["worker"]["seconds_ago"] >= 180


def test_healthz_reports_an_unreachable_broker(client, db, monkeypatch):
    WorkerHeartbeat.objects.create(name="worker", beat_at=timezone.now(), hostname="worker-1")
    # Nothing listens on port 1.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def test_healthz_needs_no_sign_in_and_is_never_cached(client, db):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.worker
@pytest.mark.skipif(not settings.TEST_REDIS_URL, reason="needs REDIS_URL (CI sets it)")
def test_a_real_worker_on_redis_records_its_heartbeat_and_healthz_turns_green(client, transactional_db):
    assert celery_app.conf.broker_url.startswith("redis://")
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            record_worker_heartbeat.delay()
            deadline = time.monotonic() + 20
            while not WorkerHeartbeat.objects.filter(name="worker").exists() and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        celery_app.conf.task_always_eager = True

    response = client.get("/healthz")

    assert response.status_code == 200, response.json()
    assert response.json()["broker"]["transport"] == "redis"
    assert response.json()["worker"]["ok"] is True
