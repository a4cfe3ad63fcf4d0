"""Dates and times are entered one UK way (core.dates): three boxes for a date, one for a
time, read in UK order, with messages that name the date and say what is wrong."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django import forms

from core.dates import DateField, DateTimeField, TimeField, parse_time, parse_typed_date
from tests.dates import date_data

LONDON = ZoneInfo("Europe/London")


class ReturnForm(forms.Form):
    returned_on = DateField(label="Date the device was returned")
    lost_at = DateTimeField(label="When it was lost", error_name="The date and time it was lost", required=False)
    quiet_from = TimeField(label="Quiet from", required=False)


def errors_of(data):
    form = ReturnForm(data)
    assert not form.is_valid()
    return {name: [str(m) for m in messages] for name, messages in form.errors.items()}


def test_a_date_typed_in_the_boxes_is_read_in_uk_order():
    form = ReturnForm(date_data("returned_on", "3/4/2026"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["returned_on"] == datetime.date(2026, 4, 3)


def test_a_month_may_be_written_as_a_word():
    form = ReturnForm({"returned_on_day": "27", "returned_on_month": "March", "returned_on_year": "2026"})
    assert form.is_valid() and form.cleaned_data["returned_on"] == datetime.date(2026, 3, 27)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the date the device was returned"),
        ("27", "", "2026", "Date the device was returned must include a month"),
        ("", "", "2026", "Date the device was returned must include a day and month"),
        ("27", "3", "", "Date the device was returned must include a year"),
        ("31", "2", "2026", "Date the device was returned must be a real date"),
        ("27", "13", "2026", "Date the device was returned must be a real date"),
        ("x", "3", "2026", "Date the device was returned must be a real date"),
        ("27", "3", "26", "Date the device was returned must include a year with 4 numbers, like 2026"),
    ],
)
def test_a_date_that_is_missing_a_part_or_not_real_says_which(day, month, year, message):
    data = {"returned_on_day": day, "returned_on_month": month, "returned_on_year": year}
    assert errors_of(data)["returned_on"] == [message]


def test_a_plain_typed_date_from_a_link_is_read_in_uk_order_or_iso():
    assert parse_typed_date("03/04/2026") == datetime.date(2026, 4, 3)
    assert parse_typed_date("3 April 2026") == datetime.date(2026, 4, 3)
    assert parse_typed_date("2026-04-03") == datetime.date(2026, 4, 3)
    assert parse_typed_date("3.4.26") == datetime.date(2026, 4, 3)
    assert parse_typed_date("") is None
    form = ReturnForm({"returned_on": "03/04/2026"})
    assert form.is_valid() and form.cleaned_data["returned_on"] == datetime.date(2026, 4, 3)


def test_a_date_and_time_is_london_time_in_summer_and_winter():
    form = ReturnForm({**date_data("returned_on", "1/1/2026"), **date_data("lost_at", "27/07/2026 14:30")})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["lost_at"] == datetime.datetime(2026, 7, 27, 13, 30, tzinfo=datetime.UTC)
    form = ReturnForm({**date_data("returned_on", "1/1/2026"), **date_data("lost_at", "27/01/2026 14:30")})
    assert form.is_valid() and form.cleaned_data["lost_at"] == datetime.datetime(2026, 1, 27, 14, 30, tzinfo=LONDON)


def test_a_date_without_its_time_or_a_time_without_its_date_is_explained():
    data = {**date_data("returned_on", "1/1/2026"), **date_data("lost_at", "27/07/2026")}
    assert errors_of(data)["lost_at"] == ["The date and time it was lost must include a time, like 14:30"]
    data = {**date_data("returned_on", "1/1/2026"), **date_data("lost_at", ""), "lost_at_time": "14:30"}
    assert errors_of(data)["lost_at"] == ["The date and time it was lost must include a day, month and year"]
    data = {**date_data("returned_on", "1/1/2026"), **date_data("lost_at", "27/07/2026 25:10")}
    assert errors_of(data)["lost_at"] == ["The date and time it was lost must be a real time, like 14:30"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:30", datetime.time(14, 30)),
        ("14.30", datetime.time(14, 30)),
        ("9:05", datetime.time(9, 5)),
        ("2pm", datetime.time(14, 0)),
        ("2:30 pm", datetime.time(14, 30)),
        ("12am", datetime.time(0, 0)),
        ("midday", datetime.time(12, 0)),
        ("7", datetime.time(7, 0)),
    ],
)
def test_times_are_read_on_the_24_hour_clock_or_with_am_and_pm(typed, expected):
    assert parse_time(typed) == expected


def test_a_time_that_is_not_real_is_explained():
    assert errors_of({**date_data("returned_on", "1/1/2026"), "quiet_from": "24:00"})["quiet_from"] == [
        "Quiet from must be a real time, like 14:30"
    ]


def test_the_date_input_renders_three_labelled_boxes_in_a_fieldset_with_a_legend_and_hint():
    html = str(ReturnForm(initial={"returned_on": datetime.date(2026, 3, 27)})["returned_on"].as_field_group())
    assert re.search(r'<fieldset aria-describedby="id_returned_on_helptext">\s*<legend>Date the device', html)
    assert "For example, 27 3 2026" in html
    for part, value in (("day", "27"), ("month", "3"), ("year", "2026")):
        assert f'<label class="date-input__label" for="id_returned_on_{part}">{part.title()}</label>' in html
        assert f'name="returned_on_{part}" id="id_returned_on_{part}" value="{value}" inputmode="numeric"' in html
    assert 'type="date"' not in html


def test_a_date_and_time_shows_the_time_in_london_with_its_own_hint():
    value = datetime.datetime(2026, 7, 27, 13, 30, tzinfo=datetime.UTC)
    html = str(ReturnForm(initial={"lost_at": value})["lost_at"].as_field_group())
    assert 'name="lost_at_time" id="id_lost_at_time" value="14:30"' in html
    assert 'aria-describedby="id_lost_at_time_hint"' in html and "For example, 14:30" in html


def test_what_was_typed_is_shown_again_beside_the_error():
    form = ReturnForm({"returned_on_day": "31", "returned_on_month": "2", "returned_on_year": "2026"})
    html = str(form["returned_on"].as_field_group())
    assert 'value="31"' in html and 'aria-invalid="true"' in html
    assert 'aria-describedby="id_returned_on_helptext id_returned_on_error"' in html
    assert '<span class="visually-hidden">Error:</span> Date the device was returned must be a real date' in html
