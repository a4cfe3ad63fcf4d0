"""Reads for the reminder pages: always scoped to a school or a person."""

from __future__ import annotations

from .models import ReminderItem, ReminderPreference


def log_items(school, *, state="", kind="", due_from=None, due_to=None):
    """Every reminder recorded at `school`, newest first, with its recipient and its
    email: two queries a page however many rows."""
    items = (
        ReminderItem.objects.filter(school=school).select_related("recipient", "email").order_by("-created_at", "-pk")
    )
    if state:
        items = items.filter(email__state=state)
    if kind:
        items = items.filter(kind=kind)
    if due_from:
        items = items.filter(due_on__gte=due_from)
    if due_to:
        items = items.filter(due_on__lte=due_to)
    return items


def preference_of(user) -> str:
    found = ReminderPreference.objects.filter(user=user).values_list("frequency", flat=True).first()
    return found or ReminderPreference.Frequency.EACH
