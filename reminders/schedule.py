"""When a reminder may be sent: never in the school's quiet hours (by default
19:00-07:00 and weekends, Europe/London, whatever the clocks do)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from .models import ReminderSettings

UK = ZoneInfo("Europe/London")


def settings_for(school) -> ReminderSettings:
    """The school's reminder settings, or the defaults (unsaved) if it never set any."""
    found = ReminderSettings.objects.filter(school=school).first()
    return found or ReminderSettings(
        school=school, cadence_days=[3, 7, 14], quiet_from=datetime.time(19), quiet_until=datetime.time(7)
    )


def _as_time(value) -> datetime.time:
    return value if isinstance(value, datetime.time) else datetime.time.fromisoformat(value)


def is_quiet(moment: datetime.datetime, rules: ReminderSettings) -> bool:
    local = moment.astimezone(UK)
    if rules.quiet_at_weekends and local.weekday() >= 5:
        return True
    start, end, now = _as_time(rules.quiet_from), _as_time(rules.quiet_until), local.time()
    if start == end:
        return False
    if start > end:  # overnight, e.g. 19:00-07:00
        return now >= start or now < end
    return start <= now < end


def next_allowed_moment(moment: datetime.datetime, rules: ReminderSettings) -> datetime.datetime:
    """`moment` itself if it is outside quiet hours, else the first moment after it
    that is (the end of the quiet hours on the next day that is not quiet)."""
    if not is_quiet(moment, rules):
        return moment
    local = moment.astimezone(UK)
    end = _as_time(rules.quiet_until)
    day = local.date() if local.time() < end else local.date() + datetime.timedelta(days=1)
    for _ in range(8):
        candidate = datetime.datetime.combine(day, end, tzinfo=UK)
        if candidate > moment and not is_quiet(candidate, rules):
            return candidate.astimezone(datetime.UTC)
        day += datetime.timedelta(days=1)
    return moment  # quiet all week: a misconfiguration; sending beats never sending
