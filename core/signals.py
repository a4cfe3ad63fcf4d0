from celery.signals import worker_ready
from django.dispatch import receiver


@receiver(worker_ready)
def heartbeat_when_ready(sender=None, **kwargs):
    # Report in at once rather than waiting a minute for the first beat.
    from .tasks import record_worker_heartbeat

    record_worker_heartbeat.delay()
