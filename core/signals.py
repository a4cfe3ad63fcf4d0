from celery.signals import worker_ready
from django.dispatch import receiver


@receiver(worker_ready)
def heartbeat_when_ready(sender=None, **kwargs):
    """Report in at once rather than waiting a minute for the first beat, and written
    here by the worker itself rather than queued: a queued heartbeat would wait
    behind every task already in the queue, and /healthz would say the worker is
    down for as long as it takes to work through them."""
    from django.db import connection

    from .tasks import record_heartbeat

    try:
        record_heartbeat()
    finally:
        connection.close()  # the worker's main process runs no queries after this


def regrant_runtime_role(sender, using="default", **kwargs):
    """After migrate (as the owner), give the runtime role its rights on any new table."""
    from django.conf import settings
    from django.db import connections

    from .evidence import grant_runtime_role, owns_schema

    connection = connections[using]
    role = settings.DATABASE_RUNTIME_ROLE
    if not role or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None or not owns_schema(cursor):
            return
        grant_runtime_role(cursor, role)
