"""Write to the audit log. Services call `record` inside their transaction."""

from django.conf import settings

from .models import AuditEvent


def client_ip(request) -> str | None:
    """The client's address; behind NUM_PROXIES reverse proxies, the address the
    outermost of our proxies saw in X-Forwarded-For (earlier entries can be forged)."""
    if request is None:
        return None
    if settings.NUM_PROXIES:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= settings.NUM_PROXIES:
            return forwarded[-settings.NUM_PROXIES]
    return request.META.get("REMOTE_ADDR") or None


def record(*, action: str, actor=None, school=None, obj=None, summary: str = "", request=None, data=None):
    return AuditEvent.objects.create(**_fields(action, actor, school, obj, summary, request, data))


def event(*, action: str, actor=None, school=None, obj=None, summary: str = "", request=None, data=None):
    """An event as `record` writes it, not yet saved: to write many at once with
    `record_many` (e.g. every leaver of an import)."""
    return AuditEvent(**_fields(action, actor, school, obj, summary, request, data))


def record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    return AuditEvent.objects.bulk_create(events)


def _fields(action, actor, school, obj, summary, request, data) -> dict:
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor = None
    return dict(
        action=action,
        actor=actor,
        school=school,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        summary=summary[:300],
        ip_address=client_ip(request),
        data=data or {},
    )
