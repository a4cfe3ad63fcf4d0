"""POST data for the GOV.UK date inputs of core.dates, for tests that submit forms.

    client.post(url, {**date_data("signed_on", "27/03/2026"), "typed_name": ...})
    date_data("close-occurred_at", "27/03/2026 14:30")   # a date and time
    date_data("ends_on", datetime.date(2027, 7, 31))

`name` is the field's HTML name (with the form's prefix, if it has one).
"""

import datetime

from django.utils import timezone


def date_data(name: str, value) -> dict:
    """The Day, Month, Year (and Time) boxes of a date input, filled with `value`: a
    date, an aware or naive datetime, "27/03/2026", "27/03/2026 14:30" or "" (empty)."""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return {**date_data(name, local.date()), f"{name}_time": local.strftime("%H:%M")}
    if isinstance(value, datetime.date):
        return {f"{name}_day": str(value.day), f"{name}_month": str(value.month), f"{name}_year": str(value.year)}
    text = str(value or "").strip()
    if not text:
        return {f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""}
    date_part, _, time_part = text.partition(" ")
    day, month, year = (date_part.split("/") + ["", ""])[:3]
    data = {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}
    if time_part:
        data[f"{name}_time"] = time_part
    return data
