"""The e-safety incident log of a trust at scale (core/scale.py): about one incident
per 40 pupils a year in each school, reported by staff over the past year, most
closed, each naming one or two pupils (recorded in the report entry first, as the
database requires of the pupils linked)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.scale import scale_step

from .models import Category, Incident, IncidentEntry, Severity, Status

BATCH = 2000
STATUSES = [Status.CLOSED] * 6 + [Status.REPORTED, Status.TRIAGED, Status.INVESTIGATING, Status.AWAITING_REVIEW]


@scale_step(order=60)
def build_incidents(plan) -> None:
    rng = plan.rng
    now = timezone.now()
    categories = list(Category.values)
    incidents, pupils_of = [], []
    for built in plan.schools:
        if not built.pupils:
            continue
        for n in range(max(3, len(built.pupils) // 40)):
            when = now - datetime.timedelta(hours=rng.randint(1, 365 * 24))
            status = rng.choice(STATUSES)
            reporter = rng.choice(built.staff[:8] + built.staff[-5:]).user
            closed = status == Status.CLOSED
            incidents.append(
                Incident(
                    school=built.school,
                    reference=f"INC-{when.year}-{n + 1:04d}",
                    reported_by=reporter,
                    reported_at=when,
                    submission_key=f"scale-{n}",
                    occurred_at=when - datetime.timedelta(hours=rng.randint(0, 48)),
                    description="Something happened online and was reported to a member of staff.",
                    category=rng.choice(categories),
                    status=status,
                    severity="" if status == Status.REPORTED else rng.choice(Severity.values),
                    triaged_at=None if status == Status.REPORTED else when + datetime.timedelta(hours=4),
                    investigator=None if status == Status.REPORTED else built.staff[2].user,
                    outcome="Spoken to the pupils and their parents; filtering checked." if closed else "",
                    closed_by=built.head if closed else None,
                    closed_at=when + datetime.timedelta(days=rng.randint(1, 14)) if closed else None,
                )
            )
            count = 1 if rng.random() < 0.7 else 2
            pupils_of.append([p.pk for p in rng.sample(built.pupils, min(count, len(built.pupils)))])
    incidents = Incident.objects.bulk_create(incidents, batch_size=BATCH)
    IncidentEntry.objects.bulk_create(
        [
            IncidentEntry(
                incident=incident,
                kind="reported",
                author=incident.reported_by,
                created_at=incident.reported_at,
                data={"pupil_ids": ids},
            )
            for incident, ids in zip(incidents, pupils_of, strict=True)
        ],
        batch_size=BATCH,
    )
    Through = Incident.pupils.through
    Through.objects.bulk_create(
        [
            Through(incident_id=incident.pk, pupil_id=pupil_id)
            for incident, ids in zip(incidents, pupils_of, strict=True)
            for pupil_id in ids
        ],
        batch_size=BATCH,
    )
