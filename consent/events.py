"""Events for "who may appear?": a trip, a match or a performance, with the pupils
taking part picked from any classes. Writes here; the check reads an event's pupils
through consent.views._group."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from core import audit
from core.text import plural

from .models import SchoolEvent
from .selectors import current_pupils


def events_of(school):
    """The school's events, latest first, with how many pupils take part: one query."""
    return SchoolEvent.objects.filter(school=school).annotate(pupil_count=Count("pupils")).order_by("-date", "name")


def _pupils_of(school, pupils) -> list:
    ids = {p.pk for p in pupils}
    found = list(current_pupils(school).filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({"pupils": "Choose pupils of this school only."})
    return found


@transaction.atomic
def save_event(*, school, by, name: str, date, pupils, event: SchoolEvent | None = None, request=None) -> SchoolEvent:
    """Create an event, or change one of this school's: its name, date and pupils
    (the pupils given replace the ones before)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give the event a name."})
    pupils = _pupils_of(school, pupils)
    if event is None:
        event = SchoolEvent.objects.create(school=school, name=name, date=date, created_by=by)
        action = "consent.event_created"
    else:
        event = SchoolEvent.objects.select_for_update().get(pk=event.pk, school=school)
        event.name, event.date = name, date
        event.save(update_fields=["name", "date"])
        action = "consent.event_changed"
    event.pupils.set(pupils)
    audit.record(
        action=action,
        actor=by,
        school=school,
        obj=event,
        request=request,
        summary=f"{'Created' if action.endswith('created') else 'Changed'} the event {event}: {plural(len(pupils), 'pupil')}",
    )
    return event
