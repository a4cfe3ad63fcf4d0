"""Incident reminders: the 72-hour breach deadline and follow-ups, found by the sweeps,
each sent once, naming no pupil."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.roles import Role
from incidents import services as incidents
from reminders import services
from reminders.incident_sweeps import breach_step
from reminders.models import ReminderItem
from tests.conftest import make_member
from tests.incidents.conftest import report

UK = ZoneInfo("Europe/London")
UTC = datetime.UTC
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def sweep(school, django_capture_on_commit_callbacks):
    def run(moment):
        with time_machine.travel(moment, tick=False):
            with django_capture_on_commit_callbacks(execute=False):
                return services.run_sweeps(school=school)

    return run


def incident_items():
    return list(ReminderItem.objects.filter(kind=ReminderItem.Kind.INCIDENT).order_by("pk"))


@pytest.fixture
def reporter(school):
    return make_member(school, Role.TEACHER)


def test_breach_steps_are_at_48_and_60_hours_then_the_deadline_then_daily():
    aware = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    hours = datetime.timedelta(hours=1)
    assert breach_step(aware, aware + 47 * hours) is None
    assert breach_step(aware, aware + 48 * hours)[0] == "48h"
    assert breach_step(aware, aware + 59 * hours)[0] == "48h"
    assert breach_step(aware, aware + 60 * hours)[0] == "60h"
    assert breach_step(aware, aware + 72 * hours)[0] == "overdue-0"
    assert breach_step(aware, aware + 97 * hours)[0] == "overdue-1"


def test_the_breach_deadline_reminds_the_head_and_dsl_across_the_end_of_summer_time(
    school, head, dsl, esafety_lead, reporter, pupil, sweep
):
    # Aware on Friday 23 October 2026 at 12:00 BST; the clocks go back on Sunday 25th.
    aware = datetime.datetime(2026, 10, 23, 12, 0, tzinfo=UK)
    with time_machine.travel(aware, tick=False):
        breach = report(school, reporter, category="data_sent_in_error", personal_data_breach=True, pupils=[pupil])
        breach = incidents.triage(incident=breach, by=dsl, severity="high", safeguarding=False)
    aware = aware.astimezone(UTC)  # real hours from here (arithmetic in UK time would be wall-clock)
    hours = datetime.timedelta(hours=1)

    assert sweep(aware + 47 * hours) == 0
    assert sweep(aware + 48 * hours) == 2  # Sunday 25th, 11:00 GMT: 48 real hours
    items = incident_items()
    assert {i.recipient_id for i in items} == {head.pk, dsl.pk}
    assert all(i.due_on == datetime.date(2026, 10, 25) for i in items)
    assert "24 hours left" in items[0].text and breach.reference in items[0].text
    assert "Monday 26 October 2026 at 11:00 GMT" in items[0].text  # 72 real hours, not 12:00
    assert pupil.first_name not in items[0].text and pupil.last_name not in items[0].text
    assert items[0].action_url == f"/s/{school.slug}/incidents/{breach.pk}/"

    assert sweep(aware + 48 * hours) == 0  # the same sweep again: nothing new
    assert sweep(aware + 50 * hours) == 0
    assert sweep(aware + 60 * hours) == 2  # "12 hours left"
    assert "12 hours left" in incident_items()[-1].text
    assert sweep(aware + 72 * hours) == 2  # overdue
    assert incident_items()[-1].text.startswith("Overdue")
    assert sweep(aware + 80 * hours) == 0
    assert sweep(aware + 96 * hours) == 2  # still overdue a day later
    assert esafety_lead.pk not in {i.recipient_id for i in incident_items()}

    with time_machine.travel(aware + 97 * hours, tick=False):
        incidents.record_ico_decision(incident=breach, by=head, decision="not_reported", reason="Recovered at once.")
    assert sweep(aware + 120 * hours) == 0


def test_an_untriaged_incident_reminds_the_dsl_and_esafety_lead_then_weekly(
    school, head, dsl, esafety_lead, reporter, pupil, sweep
):
    reported = datetime.datetime(2026, 3, 26, 10, 0, tzinfo=UK)  # Thursday, before the clocks go forward
    with time_machine.travel(reported, tick=False):
        incident = report(school, reporter, pupils=[pupil])
    assert sweep(datetime.datetime(2026, 3, 27, 10, 0, tzinfo=UK)) == 0
    assert sweep(datetime.datetime(2026, 3, 28, 10, 0, tzinfo=UK)) == 2  # 2 days on
    items = incident_items()
    assert {i.recipient_id for i in items} == {dsl.pk, esafety_lead.pk}
    assert (
        items[0].text == f"An e-safety incident ({incident.reference}) is waiting for triage: reported on 26/03/2026."
    )
    assert sweep(datetime.datetime(2026, 3, 29, 10, 0, tzinfo=UK)) == 0  # BST now: nothing new
    assert sweep(datetime.datetime(2026, 3, 30, 10, 0, tzinfo=UK)) == 0
    assert sweep(datetime.datetime(2026, 4, 4, 10, 0, tzinfo=UK)) == 2  # a week later
    with time_machine.travel(datetime.datetime(2026, 4, 5, 9, 0, tzinfo=UK), tick=False):
        incidents.triage(incident=incident, by=dsl, severity="low", safeguarding=False)
    assert sweep(datetime.datetime(2026, 4, 11, 10, 0, tzinfo=UK)) == 0


def test_an_incident_awaiting_review_reminds_the_head_after_a_week(school, head, dsl, reporter, sweep):
    start = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=UK)
    with time_machine.travel(start, tick=False):
        incident = report(school, reporter)
        incidents.triage(incident=incident, by=dsl, severity="medium", safeguarding=False)
    with time_machine.travel(start + datetime.timedelta(days=3), tick=False):
        incidents.change_status(incident=incident, by=dsl, status="awaiting_review")
    assert sweep(start + datetime.timedelta(days=9)) == 0
    assert sweep(start + datetime.timedelta(days=10)) == 1
    item = incident_items()[0]
    assert item.recipient_id == head.pk
    assert "waiting for your review" in item.text and "07/05/2026" in item.text
    assert sweep(start + datetime.timedelta(days=10, hours=2)) == 0


def test_staff_named_in_an_incident_are_not_reminded_of_it(school, head, dsl, esafety_lead, reporter, sweep):
    lead_membership = esafety_lead.memberships.get(school=school)
    start = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=UK)
    with time_machine.travel(start, tick=False):
        report(school, reporter, staff=[lead_membership])
    assert sweep(start + datetime.timedelta(days=2)) == 1
    assert incident_items()[0].recipient_id == dsl.pk


def test_the_incident_sweeps_take_the_same_queries_however_many_incidents(
    school, head, dsl, reporter, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reminders.sweeps import due_items

    start = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=UK)

    def count(n):
        with time_machine.travel(start, tick=False):
            for _ in range(n):
                report(school, reporter, category="data_sent_in_error", personal_data_breach=True)
        with time_machine.travel(start + datetime.timedelta(days=3), tick=False):
            with CaptureQueriesContext(connection) as queries:
                due_items(school)
        return len(queries)

    assert count(1) == count(5)
