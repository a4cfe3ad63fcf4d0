from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from .audit_visibility import hidden_from
from .models import AuditEvent


def audit_events_for_school(access, action_prefix: str = ""):
    """What happened in this school, plus the sign-ins of its members while they
    belonged to it (a sign-in belongs to no one school): not those from before they
    joined or after they left, which are another school's business. Lines about a
    record the person may not open (a safeguarding incident, one naming them) are left
    out."""
    school = access.school
    Membership = apps.get_model("schools", "Membership")
    member_then = Membership.objects.filter(
        school=school, user_id=OuterRef("actor_id"), created_at__lte=OuterRef("created_at")
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=OuterRef("created_at")))
    events = AuditEvent.objects.filter(Q(school=school) | (Q(school__isnull=True) & Exists(member_then)))
    events = events.exclude(hidden_from(access))
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    return events.select_related("actor")
