"""When a reminder may be sent: never in the school's quiet hours (by default
19:00-07:00 and weekends, Europe/London, whatever the clocks do)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from .models import ReminderSettings

UK = ZoneInfo("Europe/London")


DEFAULT_CADENCE = [3, 7, 14]


def _defaults(school) -> ReminderSettings:
    return ReminderSettings(
        school=school, cadence_days=list(DEFAULT_CADENCE), quiet_from=datetime.time(19), quiet_until=datetime.time(7)
    )


def default_settings() -> ReminderSettings:
    """The defaults (unsaved): a trust's reminders, which belong to no school."""
    return _defaults(None)


def settings_for(school) -> ReminderSettings:
    """The school's reminder settings, or the defaults (unsaved) if it never set any."""
    found = ReminderSettings.objects.filter(school=school).first()
    return found or _defaults(school)


def settings_for_schools(schools) -> dict[int, ReminderSettings]:
    """school id -> its settings (or the defaults), in one query."""
    schools = list(schools)
    found = {s.school_id: s for s in ReminderSettings.objects.filter(school__in=schools)}
    return {school.pk: found.get(school.pk) or _defaults(school) for school in schools}


def latest_step(days_since: int, cadence: list[int], then_every: int) -> int | None:
    """The last reminder day, counted from the day something became due, that has
    come by `days_since`: the cadence's days (e.g. 3, 7, 14), then every `then_every`
    days after the last of them (0: no more). None if none has come yet."""
    if days_since < 0:
        return None
    best = None
    for day in sorted(cadence):
        if day <= days_since:
            best = day
    last = max(cadence) if cadence else 0
    if then_every and days_since >= last + then_every:
        best = last + ((days_since - last) // then_every) * then_every
    return best


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
