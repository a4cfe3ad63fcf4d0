"""The 72-hour clock of a personal data breach: 72 real hours from when the school
became aware, shown in UK time, across weekends and the changes of the clocks."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from incidents.clock import duration, ico_clock

from .conftest import report


def breach(school, reporter):
    return report(school, reporter, category="data_sent_in_error", personal_data_breach=True)


def page(client_for, user, incident):
    return client_for(user).get(reverse("incidents:detail", args=[incident.school.slug, incident.pk]))


def test_the_clock_runs_over_a_weekend(school, reporter, dsl, client_for):
    with time_machine.travel("2026-01-16 15:30 +00:00", tick=False):  # a Friday afternoon
        incident = breach(school, reporter)
    clock = ico_clock(incident, now=datetime.datetime(2026, 1, 17, 10, 0, tzinfo=datetime.UTC))
    assert clock.deadline_text == "Monday 19 January 2026 at 15:30 GMT"
    assert clock.status_text == "2 days, 5 hours and 30 minutes left"
    with time_machine.travel("2026-01-17 10:00 +00:00", tick=False):
        body = page(client_for, dsl, incident).content.decode()
    assert "2 days, 5 hours and 30 minutes left" in body
    assert "Monday 19 January 2026 at 15:30 GMT" in body
    with time_machine.travel("2026-01-19 15:31 +00:00", tick=False):
        response = page(client_for, dsl, incident)
    assert response.context["clock"].overdue
    assert "Overdue" in response.content.decode()
    assert "Overdue by 1 minute" in response.content.decode()


def test_across_the_october_clock_change_the_deadline_is_72_real_hours(school, reporter):
    # Friday 23 October 2026, 16:00 BST; the clocks go back at 02:00 on Sunday 25th.
    with time_machine.travel("2026-10-23 15:00 +00:00", tick=False):
        incident = breach(school, reporter)
    clock = ico_clock(incident, now=incident.aware_at)
    # (Subtracting two times of the same zone in Python counts wall-clock hours: compare in UTC.)
    assert clock.deadline.astimezone(datetime.UTC) - clock.aware_at.astimezone(datetime.UTC) == datetime.timedelta(
        hours=72
    )
    assert clock.remaining == datetime.timedelta(hours=72)
    assert clock.deadline_text == "Monday 26 October 2026 at 15:00 GMT"
    assert f"{clock.aware_at:%H:%M %Z}" == "16:00 BST"


def test_across_the_march_clock_change_the_deadline_is_72_real_hours(school, reporter, dsl, client_for):
    # Friday 27 March 2026, 16:00 GMT; the clocks go forward at 01:00 on Sunday 29th.
    with time_machine.travel("2026-03-27 16:00 +00:00", tick=False):
        incident = breach(school, reporter)
    assert ico_clock(incident).deadline_text == "Monday 30 March 2026 at 17:00 BST"
    # 71 real hours later it is 16:00 BST on Monday: one hour left, though the wall
    # clock says the same time as when the school became aware.
    with time_machine.travel("2026-03-30 15:00 +00:00", tick=False):
        response = page(client_for, dsl, incident)
    assert response.context["clock"].status_text == "1 hour left"
    assert response.context["clock"].urgent


def test_once_decided_the_clock_stops(school, reporter, head):
    from incidents import services

    with time_machine.travel("2026-01-16 15:30 +00:00", tick=False):
        incident = breach(school, reporter)
    with time_machine.travel("2026-01-20 09:00 +00:00", tick=False):
        services.record_ico_decision(
            incident=incident, by=head, decision="reported", reason="Health data", ico_reference="IC-1234"
        )
    incident.refresh_from_db()
    clock = ico_clock(incident)
    assert clock.decided and not clock.overdue
    entry = incident.entries.get(kind="referral")
    assert (entry.referred_to, entry.reference_number) == ("ico", "IC-1234")
    assert entry.data["within_72_hours"] is False


def test_an_incident_that_is_not_a_breach_has_no_clock(incident):
    assert ico_clock(incident) is None


@pytest.mark.parametrize(
    "minutes, text",
    [
        (0, "less than a minute"),
        (1, "1 minute"),
        (60, "1 hour"),
        (61, "1 hour and 1 minute"),
        (1500, "1 day and 1 hour"),
    ],
)
def test_durations_read_plainly(minutes, text):
    assert duration(datetime.timedelta(minutes=minutes)) == text
