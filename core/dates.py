"""Dates and times entered one UK way, as the GOV.UK Design System asks.

A date is three boxes, Day, Month and Year, in a fieldset whose legend is the field's
label and whose hint reads "For example, 27 3 2026"; a time is one box "For example,
14:30". Nothing here relies on the browser's native picker (which shows mm/dd/yyyy to
anyone whose browser is set to US English).

Each box posts under its own name: `<name>_day`, `<name>_month`, `<name>_year` and, for a
date and time, `<name>_time` (tests build these with `tests.dates.date_data`). A plain
`<name>=27/03/2026` (or 2026-03-27, as links and bookmarks may carry) is still read, in
UK order.

Messages name the date and say what is wrong, as GOV.UK's pattern does: "Date the device
was returned must include a month", "... must be a real date". Pass `error_name` when
the label is a question that would read badly at the start of a sentence.
"""

import datetime
import re
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

DATE_EXAMPLE = "27 3 2026"
TIME_EXAMPLE = "14:30"

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

# A typed date: day, month, year separated by slashes, dots, dashes or spaces; or ISO.
_TYPED_UK = re.compile(r"^\s*(\d{1,2})[\s/.\-]+([A-Za-z]+|\d{1,2})[\s/.\-]+(\d{2}|\d{4})\s*$")
_TYPED_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}:\d{2})(?::\d{2}(?:\.\d+)?)?)?\s*$")
_TIME = re.compile(r"^\s*(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*$", re.I)
_TIME_WORDS = {"midday": (12, 0), "noon": (12, 0), "midnight": (0, 0)}


class DateProblem(ValueError):
    """What is wrong with a date as typed, worded to follow the date's name."""


def _join(words):
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def parse_parts(day, month, year) -> datetime.date | None:
    """The date in three boxes, or None when all three are empty. Raises DateProblem
    with the end of a sentence ("must include a month") for anything else."""
    values = {"day": (day or "").strip(), "month": (month or "").strip(), "year": (year or "").strip()}
    missing = [part for part, value in values.items() if not value]
    if len(missing) == 3:
        return None
    if missing:
        return _raise(f"must include a {_join(missing)}")
    month_value = values["month"].lower().rstrip(".")
    month_number = MONTHS.get(month_value) if not month_value.isdigit() else int(month_value)
    if not values["day"].isdigit() or month_number is None or not values["year"].isdigit():
        return _raise("must be a real date")
    if len(values["year"]) != 4:
        return _raise("must include a year with 4 numbers, like 2026")
    try:
        return datetime.date(int(values["year"]), month_number, int(values["day"]))
    except ValueError:
        return _raise("must be a real date")


def _raise(problem):
    raise DateProblem(problem)


def parse_typed_date(text) -> datetime.date | None:
    """A date typed in one box, in UK order (27/03/2026, 27 3 2026, 27 March 2026,
    27.3.26), or ISO (2026-03-27) as links carry it. None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    if match := _TYPED_ISO.match(text):
        year, month, day = match.group(1, 2, 3)
    elif match := _TYPED_UK.match(text):
        day, month, year = match.groups()
        if len(year) == 2:
            year = f"20{year}"
    else:
        return _raise("must be a real date")
    return parse_parts(day, month, year)


def parse_time(text) -> datetime.time | None:
    """A time typed as 14:30, 14.30, 9:05, 2pm or 2:30pm; None when empty."""
    text = (text or "").strip().lower()
    if not text:
        return None
    if text in _TIME_WORDS:
        return datetime.time(*_TIME_WORDS[text])
    match = _TIME.match(text)
    if not match:
        return _raise("must be a real time, like 14:30")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return _raise("must be a real time, like 14:30")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return _raise("must be a real time, like 14:30")
    return datetime.time(hour, minute)


# --- Widgets ----------------------------------------------------------------------------


class DateInput(forms.Widget):
    """Three boxes, Day, Month and Year, rendered inside the field's fieldset."""

    template_name = "core/widgets/date_input.html"
    use_fieldset = True
    # (part, label, width in characters, inputmode)
    parts = (("day", "Day", 2, "numeric"), ("month", "Month", 2, "numeric"), ("year", "Year", 4, "numeric"))

    def __init__(self, attrs=None, autocomplete_prefix=None):
        # autocomplete_prefix="bday" lets browsers fill a date of birth.
        self.autocomplete_prefix = autocomplete_prefix
        super().__init__(attrs)

    def part_values(self, value) -> dict:
        if isinstance(value, dict):
            return {part: value.get(part) or "" for part, *_ in self.parts}
        if isinstance(value, str) and value.strip():
            try:
                value = _from_typed(value)
            except DateProblem:
                return {"day": value, "month": "", "year": "", "time": ""}
        return self.from_value(value)

    def from_value(self, value) -> dict:
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        return {}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        attrs = context["widget"]["attrs"]
        id_ = attrs.get("id") or ""
        values = self.part_values(value)
        shared = {k: v for k, v in attrs.items() if k in ("aria-invalid", "disabled")}
        context["widget"]["parts"] = [
            {
                "name": f"{name}_{part}",
                "id": f"{id_}_{part}" if id_ else "",
                "label": label,
                "width": width,
                "inputmode": inputmode,
                "value": values.get(part, ""),
                "autocomplete": f"{self.autocomplete_prefix}-{part}" if self.autocomplete_prefix else "off",
                "attrs": shared,
                "hint_id": f"{id_}_{part}_hint" if id_ and part == "time" else "",
            }
            for part, label, width, inputmode in self.parts
        ]
        return context

    def value_from_datadict(self, data, files, name):
        names = [f"{name}_{part}" for part, *_ in self.parts]
        if not any(key in data for key in names):
            return data.get(name)  # a plain typed date, from a link or an older page
        return {part: data.get(f"{name}_{part}", "") for part, *_ in self.parts}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}_{part}" in data for part, *_ in self.parts)

    def id_for_label(self, id_):
        # The first box: where the error summary's link and a label's focus go.
        return f"{id_}_day" if id_ else id_


class DateTimeInput(DateInput):
    """The three date boxes and a time box ("For example, 14:30")."""

    parts = DateInput.parts + (("time", "Time", 5, "text"),)

    def from_value(self, value) -> dict:
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return {**super().from_value(local.date()), "time": local.strftime("%H:%M")}
        return super().from_value(value)


class TimeInput(forms.TextInput):
    """One box for a time, 24-hour clock."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", "class": "input--width-5", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.time):
            return value.strftime("%H:%M")
        return super().format_value(value)


def _from_typed(value):
    """A value typed in one box: a date, or a date and time for DateTimeField links."""
    match = _TYPED_ISO.match(value)
    if match and match.group(4):
        date = parse_typed_date(value[: match.start(4) - 1])
        return datetime.datetime.combine(date, parse_time(match.group(4)))
    return parse_typed_date(value)


# --- Fields -----------------------------------------------------------------------------


def _with_hint(help_text, hint):
    help_text = str(help_text or "").strip()
    return f"{help_text} {hint}" if help_text else hint


class DateField(forms.Field):
    """A date in three boxes, read in UK order. cleaned_data holds a datetime.date."""

    widget = DateInput
    hint = f"For example, {DATE_EXAMPLE}"

    def __init__(self, *, error_name=None, show_hint=True, **kwargs):
        self.error_name = error_name
        if show_hint:
            kwargs["help_text"] = _with_hint(kwargs.get("help_text"), self.hint)
        super().__init__(**kwargs)

    @property
    def name_in_messages(self):
        return str(self.error_name or self.label or "Date")

    def problem(self, problem, code):
        return ValidationError(f"{self.name_in_messages} {problem}", code=code)

    def to_python(self, value):
        try:
            if value in self.empty_values:
                return None
            if isinstance(value, datetime.datetime):
                return value.date()
            if isinstance(value, datetime.date):
                return value
            if isinstance(value, dict):
                return parse_parts(value.get("day"), value.get("month"), value.get("year"))
            return parse_typed_date(str(value))
        except DateProblem as problem:
            raise self.problem(str(problem), code="invalid") from None

    def prepare_value(self, value):
        return value


class DateTimeField(DateField):
    """A date in three boxes and a time in a fourth, as Europe/London time.
    cleaned_data holds an aware datetime."""

    widget = DateTimeInput
    hint = f"For example, {DATE_EXAMPLE}"

    def to_python(self, value):
        try:
            if value in self.empty_values:
                return None
            if isinstance(value, datetime.datetime):
                return value if timezone.is_aware(value) else _aware(value)
            if isinstance(value, dict):
                date = parse_parts(value.get("day"), value.get("month"), value.get("year"))
                time_text = (value.get("time") or "").strip()
                if date is None and not time_text:
                    return None
                if date is None:
                    raise DateProblem("must include a day, month and year")
                if not time_text:
                    raise DateProblem("must include a time, like 14:30")
                return _aware(datetime.datetime.combine(date, parse_time(time_text)))
            typed = _from_typed(str(value))
            if typed is None:
                return None
            if not isinstance(typed, datetime.datetime):
                raise DateProblem("must include a time, like 14:30")
            return _aware(typed)
        except DateProblem as problem:
            raise self.problem(str(problem), code="invalid") from None


def _aware(naive):
    """A wall-clock time in the current time zone (Europe/London). zoneinfo picks the
    first of a repeated hour in October and moves a missing one in March forward, so a
    time typed on the night the clocks change is kept rather than refused."""
    zone = timezone.get_current_timezone()
    if not isinstance(zone, ZoneInfo):  # pragma: no cover - settings always name a zone
        return timezone.make_aware(naive, zone)
    return naive.replace(tzinfo=zone)


class TimeField(forms.Field):
    """A time typed in one box, 24-hour clock ("14:30"); cleaned_data holds a time."""

    widget = TimeInput

    def __init__(self, *, error_name=None, show_hint=True, **kwargs):
        self.error_name = error_name
        if show_hint:
            kwargs["help_text"] = _with_hint(kwargs.get("help_text"), f"For example, {TIME_EXAMPLE}")
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.time):
            return value
        try:
            return parse_time(str(value))
        except DateProblem as problem:
            name = str(self.error_name or self.label or "Time")
            raise ValidationError(f"{name} {problem}", code="invalid") from None
