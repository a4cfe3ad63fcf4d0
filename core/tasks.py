import socket

from celery import shared_task
from django.utils import timezone

from .models import WorkerHeartbeat


def record_heartbeat() -> None:
    """Note that a worker is alive now: /healthz reads when a worker last did."""
    WorkerHeartbeat.objects.update_or_create(
        name="worker", defaults={"beat_at": timezone.now(), "hostname": socket.gethostname()}
    )


@shared_task(ignore_result=True)
def record_worker_heartbeat():
    """Queued by beat every minute, so the heartbeat also says that tasks get run."""
    record_heartbeat()
