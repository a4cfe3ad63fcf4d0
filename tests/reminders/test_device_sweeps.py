"""Reminders about school equipment: due back, and held by someone about to leave."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from aup.models import Audience
from core.roles import Role
from devices import services as devices
from reminders import services
from reminders.device_sweeps import due_step, leaver_step
from reminders.models import ReminderItem
from reminders.tasks import send_due_reminder_emails
from tests.agreements.signing_helpers import publish_form_for, publish_staff_form
from tests.conftest import make_member
from tests.devices.conftest import lend_to, make_device, membership_of, sign_for, sign_staff_agreement

UK = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def uk(*args):
    return datetime.datetime(*args, tzinfo=UK)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def sweep(school, django_capture_on_commit_callbacks):
    def run(moment):
        with time_machine.travel(moment, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                services.run_sweeps(school=school)
            with django_capture_on_commit_callbacks(execute=True):
                send_due_reminder_emails()

    return run


@pytest.fixture
def borrower(school, head):
    publish_form_for(school, head, Audience.LOANS, title="Equipment loans")
    user = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Sharma")
    sign_staff_agreement(user, publish_staff_form(school, head))
    return user


def lend_signed(school, head, user, *devices_, **fields):
    with time_machine.travel(uk(2026, 11, 2, 9, 0), tick=False):
        loan = lend_to(school, head, user, list(devices_), **fields)
        sign_for(loan)
    return loan


def device_items(user):
    return list(ReminderItem.objects.filter(recipient=user, kind=ReminderItem.Kind.DEVICES).order_by("pk"))


def test_the_steps_for_equipment_due_back():
    due = datetime.date(2026, 11, 30)
    assert due_step(due, datetime.date(2026, 11, 26)) is None
    assert due_step(due, datetime.date(2026, 11, 27)) == ("soon", datetime.date(2026, 11, 27))
    assert due_step(due, datetime.date(2026, 11, 30)) == ("soon", datetime.date(2026, 11, 27))
    assert due_step(due, datetime.date(2026, 12, 1)) == ("overdue-0", datetime.date(2026, 12, 1))
    assert due_step(due, datetime.date(2026, 12, 8)) == ("overdue-1", datetime.date(2026, 12, 8))
    assert leaver_step(datetime.date(2026, 12, 10), datetime.date(2026, 11, 25)) is None
    assert leaver_step(datetime.date(2026, 12, 10), datetime.date(2026, 12, 3)) == (7, datetime.date(2026, 12, 3))
    assert leaver_step(datetime.date(2026, 12, 10), datetime.date(2026, 12, 11)) is None


def test_the_holder_is_reminded_before_the_due_date_and_weekly_once_overdue(school, head, borrower, sweep):
    laptop = make_device(school, "laptop", serial_number="DL-001")
    lend_signed(school, head, borrower, laptop, due_on=datetime.date(2026, 11, 30), until_leaving=False)

    sweep(uk(2026, 11, 26, 10, 0))
    assert device_items(borrower) == []
    sweep(uk(2026, 11, 27, 10, 0))
    sweep(uk(2026, 11, 27, 11, 0))  # the same sweep again: nothing new
    [soon] = device_items(borrower)
    assert soon.text.startswith("Please return the school's equipment by 30/11/2026") and "DL-001" in soon.text
    assert soon.action_url == f"/s/{school.slug}/my-equipment/"
    sweep(uk(2026, 12, 1, 10, 0))
    sweep(uk(2026, 12, 8, 10, 0))
    texts = [item.text for item in device_items(borrower)]
    assert len(texts) == 3 and texts[1].startswith("Overdue since 30/11/2026") and texts[2] == texts[1]
    assert sum(borrower.email in m.to for m in mail.outbox) == 3


def test_returned_equipment_is_not_chased(school, head, borrower, sweep):
    laptop = make_device(school, "laptop", serial_number="DL-002")
    loan = lend_signed(school, head, borrower, laptop, due_on=datetime.date(2026, 11, 30), until_leaving=False)
    item = loan.items.get()
    with time_machine.travel(uk(2026, 11, 20, 9, 0), tick=False):
        devices.receive_return(
            loan=loan,
            received_by=head,
            returns={item.pk: {"condition": "Fine", "accessories": "Charger", "personal_data_removed": False}},
            typed_name=borrower.full_name,
            statements_agreed=[s.number for s in devices.loan_conditions(school).statements.all()],
            submission_key="return-1",
        )
    sweep(uk(2026, 12, 1, 10, 0))
    assert device_items(borrower) == []


def test_a_leaver_and_the_office_hear_about_equipment_still_held(school, head, office, borrower, sweep):
    laptop = make_device(school, "laptop", serial_number="DL-003")
    lend_signed(school, head, borrower, laptop)  # until leaving
    membership = membership_of(borrower, school)
    membership.leaving_date = datetime.date(2026, 12, 10)
    membership.save(update_fields=["leaving_date"])

    sweep(uk(2026, 11, 25, 10, 0))
    assert device_items(borrower) == []
    sweep(uk(2026, 11, 26, 10, 0))
    [leaver] = device_items(borrower)
    assert leaver.text.startswith("Before you leave on 10/12/2026") and "DL-003" in leaver.text
    [register] = device_items(office)
    assert register.text == "Priya Sharma leaves on 10/12/2026 and still holds 1 device of the school's."
    assert register.action_url == f"/s/{school.slug}/devices/leavers/"
    sweep(uk(2026, 11, 26, 15, 0))
    assert len(device_items(borrower)) == 1 and len(device_items(office)) == 1
