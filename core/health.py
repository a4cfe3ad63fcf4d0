"""The checks behind /healthz: database, broker and worker."""

import hmac

from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app

from .models import WorkerHeartbeat


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        return {"ok": False, "error": error.__class__.__name__}


def check_broker() -> dict:
    transport = celery_app.conf.broker_url.split("://", 1)[0]
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": transport}
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "transport": transport, "error": error.__class__.__name__}


def check_worker() -> dict:
    try:
        beat = WorkerHeartbeat.objects.filter(name="worker").first()
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "error": error.__class__.__name__}
    if beat is None:
        return {"ok": False, "last_heartbeat": None}
    age = timezone.now() - beat.beat_at
    return {
        "ok": age <= settings.WORKER_HEARTBEAT_MAX_AGE,
        "last_heartbeat": beat.beat_at.isoformat(),
        "seconds_ago": int(age.total_seconds()),
    }


def report() -> tuple[bool, dict]:
    checks = {"database": check_database(), "broker": check_broker(), "worker": check_worker()}
    return all(c["ok"] for c in checks.values()), checks


def may_see_detail(request) -> bool:
    """Whether this caller may see each check's detail (transport, error class, when
    the worker last beat), which helps an attacker map the deployment: monitoring that
    sends `Authorization: Bearer <HEALTHZ_TOKEN>`, or a signed-in superuser."""
    token = settings.HEALTHZ_TOKEN
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(), token.encode()):
        return True
    user = request.user
    return user.is_authenticated and user.is_active and user.is_superuser
