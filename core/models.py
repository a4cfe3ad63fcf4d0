from django.conf import settings
from django.db import models

from .storage import private_storage as _private_storage


class AuditEventQuerySet(models.QuerySet):
    """Bulk writes skip the model's save() and delete(), so refuse them here too."""

    def update(self, **kwargs):
        raise RuntimeError("Audit events are append-only.")

    def delete(self):
        raise RuntimeError("Audit events are append-only.")

    delete.queryset_only = True


class AuditEvent(models.Model):
    """An append-only record of something that happened. The application never
    updates or deletes one; on PostgreSQL a trigger refuses it as well."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "-created_at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only.")

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.action}"


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the heartbeat task (for /healthz)."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.name} at {self.beat_at:%d/%m/%Y %H:%M:%S}"


class PreparedFile(models.Model):
    """A long download (a printed list of a whole school) made by the worker: the
    page that asked for it shows its progress and, when ready, a download link.
    Only the person who asked may see or download it (core.prepared)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        WORKING = "working", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be made"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)  # what made it, e.g. "agreements.outstanding_pdf"
    title = models.CharField(max_length=300)  # what the page calls it
    params = models.JSONField(default=dict, blank=True)  # what to make (ids and filters)
    back_url = models.CharField(max_length=500, blank=True)  # the page it was asked from
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="prepared/%Y/%m/", storage=_private_storage, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="core_prepared_by_user")]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)
