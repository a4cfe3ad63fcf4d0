"""/healthz reports the database, the broker and the worker's last heartbeat: to anyone
only "ok" or "unavailable"; the detail to monitoring with the token or a superuser."""

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
from tests.factories import UserFactory

TOKEN = "a-long-random-monitoring-token-0123456789"


@pytest.fixture
def monitoring(settings):
    """Headers of monitoring that holds the deployment's HEALTHZ_TOKEN."""
    settings.HEALTHZ_TOKEN = TOKEN
    return {"Authorization": f"Bearer {TOKEN}"}


def test_healthz_is_unavailable_when_no_worker_has_reported(client, db, monitoring):
    response = client.get("/healthz", headers=monitoring)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["worker"] == {"ok": False, "last_heartbeat": None}


def test_healthz_is_healthy_with_a_recent_heartbeat(client, db, monitoring):
    WorkerHeartbeat.objects.create(name="worker", beat_at=timezone.now(), hostname="worker-1")

    response = client.get("/healthz", headers=monitoring)

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["worker"]["ok"] is True


def test_healthz_calls_a_silent_worker_unhealthy_after_three_minutes(client, db, monitoring):
    WorkerHeartbeat.objects.create(name="worker", beat_at=timezone.now(), hostname="worker-1")

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=3, seconds=30)):
        response = client.get("/healthz", headers=monitoring)

    assert response.status_code == 503
    assert response.json()["worker"]["ok"] is False
    assert response.json()["worker"]["seconds_ago"] >= 180


def test_healthz_reports_an_unreachable_broker(client, db, monkeypatch, monitoring):
    WorkerHeartbeat.objects.create(name="worker", beat_at=timezone.now(), hostname="worker-1")
    # Nothing listens on port 1.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = client.get("/healthz", headers=monitoring)

    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def test_healthz_needs_no_sign_in_and_is_never_cached(client, db):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_an_anonymous_caller_is_told_only_ok(client, db, monitoring):
    WorkerHeartbeat.objects.create(name="worker", beat_at=timezone.now(), hostname="worker-1")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_an_anonymous_caller_is_told_only_unavailable_without_saying_what_failed(client, db, monkeypatch, monitoring):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert b"redis" not in response.content and b"heartbeat" not in response.content


@pytest.mark.parametrize(
    "authorization",
    ["Bearer wrong-token", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer ", ""],
)
def test_a_wrong_or_malformed_token_sees_no_detail(client, db, monitoring, authorization):
    response = client.get("/healthz", headers={"Authorization": authorization})

    assert set(response.json()) == {"status"}


def test_with_no_token_configured_an_empty_bearer_sees_no_detail(client, db, settings):
    settings.HEALTHZ_TOKEN = ""

    response = client.get("/healthz", headers={"Authorization": "Bearer "})

    assert set(response.json()) == {"status"}


def test_a_signed_in_member_of_staff_sees_no_detail_but_a_superuser_does(client_for, db, head):
    assert set(client_for(head).get("/healthz").json()) == {"status"}

    body = client_for(UserFactory(is_superuser=True, is_staff=True)).get("/healthz").json()

    assert {"status", "database", "broker", "worker"} <= set(body)


@pytest.mark.worker
@pytest.mark.skipif(not settings.TEST_REDIS_URL, reason="needs REDIS_URL (CI sets it)")
def test_a_real_worker_on_redis_records_its_heartbeat_and_healthz_turns_green(client, transactional_db, monitoring):
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

    response = client.get("/healthz", headers=monitoring)

    assert response.status_code == 200, response.json()
    assert response.json()["broker"]["transport"] == "redis"
    assert response.json()["worker"]["ok"] is True


# Monitoring often calls the server by its address (http://10.0.0.5:8000/healthz) or by
# a name of its own, neither of which is in ALLOWED_HOSTS.
MONITORING_HOST = "10.0.0.5"


def test_healthz_answers_a_host_that_is_not_in_allowed_hosts(client, db):
    WorkerHeartbeat.objects.create(name="worker", beat_at=timezone.now(), hostname="worker-1")

    response = client.get("/healthz", headers={"Host": MONITORING_HOST})

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_on_a_host_not_in_allowed_hosts_says_unavailable_with_a_503(client, db):
    response = client.get("/healthz", headers={"Host": "monitor.internal:8000"})

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_monitoring_with_the_token_sees_the_detail_on_a_host_not_in_allowed_hosts(client, db, monitoring):
    response = client.get("/healthz", headers={"Host": MONITORING_HOST, **monitoring})

    assert {"status", "database", "broker", "worker"} <= set(response.json())


def test_healthz_on_another_host_is_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz", headers={"Host": MONITORING_HOST})

    assert response.status_code in (200, 503)
    assert response.json()["status"] in ("ok", "unavailable")


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz/", "/healthzx", "/verify/"])
def test_every_other_address_on_a_host_not_in_allowed_hosts_is_still_refused(client, db, path):
    response = client.get(path, headers={"Host": MONITORING_HOST})

    assert response.status_code == 400
