"""The 72-hour clock of a personal data breach: the deadline is the moment the school
became aware plus 72 real hours (so across a change of the clocks it is still 72
hours of elapsed time); it is shown in UK time."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from .models import ICODecision

UK = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Clock:
    aware_at: datetime.datetime  # UK time
    deadline: datetime.datetime  # UK time
    remaining: datetime.timedelta
    decided: bool

    @property
    def overdue(self) -> bool:
        return not self.decided and self.remaining <= datetime.timedelta(0)

    @property
    def urgent(self) -> bool:
        """Under 24 hours left."""
        return not self.decided and self.remaining < datetime.timedelta(hours=24)

    @property
    def deadline_text(self) -> str:
        """'Thursday 26 March 2026 at 10:00 GMT'."""
        return uk_datetime(self.deadline)

    @property
    def status_text(self) -> str:
        if self.decided:
            return "Decision recorded"
        if self.overdue:
            return f"Overdue by {duration(-self.remaining)}"
        return f"{duration(self.remaining)} left"


def uk_datetime(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment, UK)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M} {local.tzname()}"


def duration(delta: datetime.timedelta) -> str:
    """'2 days, 5 hours and 3 minutes', to the minute (rounded down)."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    for number, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")):
        if number:
            parts.append(f"{number} {unit}{'' if number == 1 else 's'}")
    if not parts:
        return "less than a minute"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def ico_clock(incident, now: datetime.datetime | None = None) -> Clock | None:
    deadline = incident.ico_deadline
    if deadline is None:
        return None
    now = now or timezone.now()
    return Clock(
        aware_at=timezone.localtime(incident.aware_at, UK),
        deadline=timezone.localtime(deadline, UK),
        remaining=deadline - now,
        decided=incident.ico_decision in (ICODecision.REPORTED, ICODecision.NOT_REPORTED),
    )
