from django.apps import apps
from django.db.models import Q

from .models import AuditEvent


def audit_events_for_school(school, action_prefix: str = ""):
    """What happened in this school, plus the sign-ins of its current members (a
    sign-in belongs to no one school)."""
    Membership = apps.get_model("schools", "Membership")
    members = Membership.objects.filter(school=school).values("user_id")
    events = AuditEvent.objects.filter(Q(school=school) | Q(school__isnull=True, actor_id__in=members))
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    return events.select_related("actor")
