"""How long an incident's record is kept (DOMAIN.md, issue 9: "Records are kept by
retention rules (child protection: the pupil's date of birth plus 25 years); nothing
is deleted by hand").

- A safeguarding (child protection) incident involving pupils: the latest date of
  birth among the linked pupils (the youngest pupil) plus 25 years. If a linked pupil's
  date of birth is not recorded, no date can be worked out and the record is kept.
- Anything else: 6 years after the incident was closed. The seeds set no period for
  e-safety incidents (seed 001 keeps a replaced policy for 7 years); 6 years after
  closing is the usual schools' records-management default for incident records that
  are not child protection files, and the project's documented default here. An open
  incident is kept: its date is set when it is closed.

Nothing is destroyed by the application: `manage.py incidents_retention` lists the
records past their date so that the school's data protection lead can act on them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

CHILD_PROTECTION_YEARS_AFTER_BIRTH = 25
DEFAULT_YEARS_AFTER_CLOSING = 6


@dataclass(frozen=True)
class Retention:
    keep_until: datetime.date | None  # None: kept (no date can be worked out yet)
    rule: str


def add_years(day: datetime.date, years: int) -> datetime.date:
    """`day` plus whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def retention_for(incident, pupils=None) -> Retention:
    """The date `incident` is kept until and the rule that set it. `pupils`: the
    incident's linked pupils if already loaded (a prefetch), else read here."""
    pupils = list(incident.pupils.all()) if pupils is None else list(pupils)
    if incident.safeguarding and pupils:
        births = [p.date_of_birth for p in pupils]
        if any(birth is None for birth in births):
            return Retention(None, "child protection: kept until every linked pupil's date of birth is recorded")
        return Retention(
            add_years(max(births), CHILD_PROTECTION_YEARS_AFTER_BIRTH),
            "child protection: the youngest linked pupil's date of birth plus 25 years",
        )
    if incident.closed_at is None:
        return Retention(None, f"{DEFAULT_YEARS_AFTER_CLOSING} years after it is closed")
    return Retention(
        add_years(timezone.localdate(incident.closed_at), DEFAULT_YEARS_AFTER_CLOSING),
        f"{DEFAULT_YEARS_AFTER_CLOSING} years after it was closed",
    )


def past_retention(incidents, today: datetime.date | None = None):
    """(incident, retention) for each of `incidents` kept beyond its date, oldest date
    first. Reads the linked pupils in one query for all."""
    today = today or timezone.localdate()
    found = []
    for incident in incidents.prefetch_related("pupils").select_related("school").iterator(chunk_size=500):
        retention = retention_for(incident, incident.pupils.all())
        if retention.keep_until is not None and retention.keep_until < today:
            found.append((incident, retention))
    found.sort(key=lambda pair: (pair[1].keep_until, pair[0].school_id, pair[0].reference))
    return found
