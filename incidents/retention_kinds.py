"""E-safety incidents on the retention schedule (core.retention). Both kinds end in a
person's review, never an automatic deletion: a child-protection file may need to be
kept far longer (IICSA), and an incident's chronology is evidence."""

import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from core import retention

from .models import Incident


def _day_end(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


def _incidents(school_ids, holds):
    return (
        Incident.objects.filter(school_id__in=school_ids)
        .exclude(pk__in=holds.incidents)
        .exclude(pupils__in=holds.pupils)
    )


def child_protection_due(school_ids, cutoff, holds):
    """Safeguarding incidents whose youngest linked pupil was born on or before the
    cutoff (an unknown date of birth keeps the record), and which are closed."""
    linked = Incident.pupils.through.objects.filter(incident_id=OuterRef("pk"))
    too_young = linked.filter(pupil__date_of_birth__gt=cutoff)
    unknown = linked.filter(pupil__date_of_birth__isnull=True)
    return (
        _incidents(school_ids, holds)
        .filter(Exists(linked), safeguarding=True, closed_at__isnull=False)
        .exclude(Exists(too_young))
        .exclude(Exists(unknown))
    )


def other_incidents_due(school_ids, cutoff, holds):
    linked = Incident.pupils.through.objects.filter(incident_id=OuterRef("pk"))
    return (
        _incidents(school_ids, holds).exclude(Exists(linked), safeguarding=True).filter(closed_at__lt=_day_end(cutoff))
    )


retention.register(
    retention.RecordKind(
        key="incidents.child_protection",
        label="Safeguarding (child protection) incidents",
        clock="the youngest linked pupil's date of birth",
        years=25,
        action=retention.REVIEW,
        source=(
            "IRMS Information Management Toolkit for Schools: child protection files, date of birth + 25 years; "
            "longer where a case is open (IICSA recommends up to 75 years for some records)."
        ),
        due=child_protection_due,
        order=60,
    )
)
retention.register(
    retention.RecordKind(
        key="incidents.other_incidents",
        label="Other e-safety incidents",
        clock="the date the incident was closed",
        years=6,
        action=retention.REVIEW,
        source="Project default (incidents/retention.py): 6 years after closing, the Limitation Act period.",
        due=other_incidents_due,
        order=70,
    )
)
