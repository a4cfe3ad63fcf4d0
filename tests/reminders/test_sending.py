"""Reminder emails: recorded once, one a day, outside quiet hours, never sent twice."""

import datetime
import smtplib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from reminders import services
from reminders.models import ReminderEmail, ReminderItem, ReminderSettings
from reminders.tasks import SendFailed, deliver, send_due_reminder_emails, send_reminder_email
from tests.agreements.signing_helpers import publish_staff_form

UK = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def uk(*args):
    return datetime.datetime(*args, tzinfo=UK)


# A Tuesday in term, mid-morning.
TUESDAY_10AM = uk(2026, 11, 24, 10, 0)


@pytest.fixture
def staff_form(school, head):
    return publish_staff_form(school, head)


@pytest.fixture(autouse=True)
def _commit_callbacks(django_capture_on_commit_callbacks):
    """Emails are queued on commit: run those callbacks as a real commit would."""
    global _on_commit
    _on_commit = django_capture_on_commit_callbacks


def remind(school, form, head, *people, recipients=None):
    with _on_commit(execute=True):
        return services.remind_now(
            school=school, form=form, recipients=recipients or {p: [] for p in people}, requested_by=head
        )


def test_remind_now_emails_each_person_once_with_a_link_to_the_form(school, staff_form, head, teacher):
    with time_machine.travel(TUESDAY_10AM, tick=False):
        assert remind(school, staff_form, head, teacher) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [teacher.email]
    assert school.name in message.subject
    assert f"http://testserver/s/{school.slug}/sign/{staff_form.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f"/s/{school.slug}/sign/{staff_form.pk}/" in html
    email = ReminderEmail.objects.get(recipient=teacher)
    assert email.state == ReminderEmail.State.SENT and email.attempts == 1


def test_pressing_remind_now_twice_in_a_day_reminds_nobody_twice(school, staff_form, head, teacher):
    with time_machine.travel(TUESDAY_10AM, tick=False):
        assert remind(school, staff_form, head, teacher) == 1
    with time_machine.travel(TUESDAY_10AM + datetime.timedelta(hours=3), tick=False):
        assert remind(school, staff_form, head, teacher) == 0
        send_due_reminder_emails()
    assert len(mail.outbox) == 1
    assert ReminderItem.objects.filter(recipient=teacher).count() == 1


def test_a_second_reminder_on_a_day_waits_for_the_next_days_email(school, staff_form, head, teacher):
    other_form = publish_staff_form(school, head, title="Mobile phones")
    with time_machine.travel(TUESDAY_10AM, tick=False):
        remind(school, staff_form, head, teacher)
    with time_machine.travel(TUESDAY_10AM + datetime.timedelta(hours=2), tick=False):
        assert remind(school, other_form, head, teacher) == 1
        send_due_reminder_emails()
    assert len(mail.outbox) == 1  # at most one email a day
    with time_machine.travel(uk(2026, 11, 25, 7, 0), tick=False):
        send_due_reminder_emails()
    assert len(mail.outbox) == 2
    assert "Mobile phones" in mail.outbox[1].body and "ICT acceptable use" not in mail.outbox[1].body


def test_nothing_is_sent_in_the_evening_it_goes_at_seven_the_next_morning(school, staff_form, head, teacher):
    with time_machine.travel(uk(2026, 11, 24, 19, 30), tick=False):
        remind(school, staff_form, head, teacher)
        send_due_reminder_emails()
    assert mail.outbox == []
    assert ReminderEmail.objects.get().send_after == uk(2026, 11, 25, 7, 0)
    with time_machine.travel(uk(2026, 11, 25, 6, 59), tick=False):
        send_due_reminder_emails()
    assert mail.outbox == []
    with time_machine.travel(uk(2026, 11, 25, 7, 0), tick=False):
        send_due_reminder_emails()
    assert len(mail.outbox) == 1


def test_a_friday_evening_reminder_waits_for_monday_across_the_clock_change(school, staff_form, head, teacher):
    # Clocks go forward on Sunday 29 March 2026: Monday 07:00 is BST (06:00 UTC).
    with time_machine.travel(uk(2026, 3, 27, 20, 0), tick=False):
        remind(school, staff_form, head, teacher)
    send_after = ReminderEmail.objects.get().send_after
    assert send_after == uk(2026, 3, 30, 7, 0)
    assert send_after.astimezone(datetime.UTC).hour == 6
    with time_machine.travel(uk(2026, 3, 28, 12, 0), tick=False):  # Saturday
        send_due_reminder_emails()
    assert mail.outbox == []


def test_a_school_can_set_its_own_quiet_hours(school, staff_form, head, teacher):
    ReminderSettings.objects.create(
        school=school,
        cadence_days=[3, 7, 14],
        quiet_from=datetime.time(17, 0),
        quiet_until=datetime.time(8, 30),
        quiet_at_weekends=False,
    )
    with time_machine.travel(uk(2026, 11, 28, 17, 30), tick=False):  # a Saturday evening
        remind(school, staff_form, head, teacher)
    assert ReminderEmail.objects.get().send_after == uk(2026, 11, 29, 8, 30)  # Sunday is allowed here


class FlakyBackend(EmailBackend):
    """The mail server refuses the first `failures` messages."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such user")})


def test_a_failed_send_is_retried_with_back_off_and_sent_exactly_once(school, staff_form, head, teacher, settings):
    settings.EMAIL_BACKEND = "tests.reminders.test_sending.FlakyBackend"
    FlakyBackend.failures = 2
    with time_machine.travel(TUESDAY_10AM, tick=False):
        # In tests tasks run in-process, where Celery's retry surfaces as Retry; a
        # worker would run the task again after the back-off.
        with pytest.raises(Retry):
            remind(school, staff_form, head, teacher)
        email = ReminderEmail.objects.get()
        assert email.state == ReminderEmail.State.QUEUED and "unexpectedly closed" in email.last_error
        with pytest.raises(SendFailed):
            deliver(email.pk)
        assert deliver(email.pk) == ReminderEmail.State.SENT
        assert deliver(email.pk) == "skipped"
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.state == ReminderEmail.State.SENT and email.attempts == 3
    assert send_reminder_email.autoretry_for == (SendFailed,) and send_reminder_email.retry_backoff


def test_an_address_the_server_refuses_is_marked_bounced_and_not_retried(school, staff_form, head, teacher, settings):
    settings.EMAIL_BACKEND = "tests.reminders.test_sending.RefusingBackend"
    with time_machine.travel(TUESDAY_10AM, tick=False):
        remind(school, staff_form, head, teacher)
    email = ReminderEmail.objects.get()
    assert email.state == ReminderEmail.State.BOUNCED and email.attempts == 1
    assert "No such user" in email.last_error


def test_an_email_a_worker_died_sending_is_never_sent_again(school, staff_form, head, teacher):
    with time_machine.travel(uk(2026, 11, 24, 20, 0), tick=False):
        remind(school, staff_form, head, teacher)
    email = ReminderEmail.objects.get()
    # A worker claimed it at 07:00 and died before the mail server answered.
    ReminderEmail.objects.filter(pk=email.pk).update(
        state=ReminderEmail.State.SENDING, claimed_at=uk(2026, 11, 25, 7, 0), attempts=1
    )
    with time_machine.travel(uk(2026, 11, 25, 7, 5), tick=False):
        assert deliver(email.pk) == "skipped"  # the redelivered task
        send_due_reminder_emails()
    assert mail.outbox == []
    with time_machine.travel(uk(2026, 11, 25, 7, 20), tick=False):
        send_due_reminder_emails()
    email.refresh_from_db()
    assert email.state == ReminderEmail.State.FAILED and "not sent again" in email.last_error.lower()
    assert mail.outbox == []


def test_a_parent_is_reminded_about_each_child_in_one_email(school, head, parent, pupil):
    from aup.models import Audience
    from tests.agreements.signing_helpers import publish_form_for
    from tests.factories import GuardianshipFactory, PupilFactory

    form = publish_form_for(school, head, Audience.PARENTS)
    sibling = PupilFactory(school=school, school_class=pupil.school_class, first_name="Yusuf")
    GuardianshipFactory(pupil=sibling, carer=parent)
    with time_machine.travel(TUESDAY_10AM, tick=False):
        count = remind(school, form, head, recipients={parent: [pupil, sibling]})
    assert count == 1
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert pupil.first_name in body and sibling.first_name in body
    assert f"/family/sign/{form.pk}/" in body


def test_a_reminder_waiting_overnight_is_not_sent_if_the_person_signs_first(school, staff_form, head, teacher):
    from tests.agreements.signing_helpers import sign_as

    with time_machine.travel(uk(2026, 11, 24, 20, 0), tick=False):
        remind(school, staff_form, head, teacher)
    with time_machine.travel(uk(2026, 11, 24, 21, 0), tick=False):
        sign_as(staff_form, teacher)
    with time_machine.travel(uk(2026, 11, 25, 7, 0), tick=False):
        send_due_reminder_emails()
    assert mail.outbox == []
    assert ReminderEmail.objects.get().state == ReminderEmail.State.NOT_NEEDED
    assert ReminderItem.objects.get().dropped_at is not None


def test_an_email_leaves_out_only_what_was_done_meanwhile(school, staff_form, head, teacher):
    from tests.agreements.signing_helpers import sign_as

    phones = publish_staff_form(school, head, title="Mobile phones")
    with time_machine.travel(uk(2026, 11, 24, 20, 0), tick=False):
        remind(school, staff_form, head, teacher)
        remind(school, phones, head, teacher)
        sign_as(staff_form, teacher)
    with time_machine.travel(uk(2026, 11, 25, 7, 0), tick=False):
        send_due_reminder_emails()
    assert len(mail.outbox) == 1
    assert "Mobile phones" in mail.outbox[0].body and "ICT acceptable use" not in mail.outbox[0].body


def test_a_parent_is_not_chased_once_the_other_carer_has_signed(school, head, parent, pupil):
    from agreements.models import Method
    from agreements.services import sign
    from aup.models import Audience
    from tests.agreements.signing_helpers import publish_form_for
    from tests.conftest import make_member
    from tests.factories import GuardianshipFactory

    form = publish_form_for(school, head, Audience.PARENTS)
    father = make_member(school, "parent")
    GuardianshipFactory(pupil=pupil, carer=father)
    with time_machine.travel(uk(2026, 11, 24, 20, 0), tick=False):
        remind(school, form, head, recipients={parent: [pupil]})
        sign(
            form=form,
            signer=father,
            typed_name=father.full_name,
            statements_agreed=[s.number for s in form.statements.all()],
            submission_key="father-signs",
            method=Method.FOR_CHILD,
            pupil=pupil,
        )
    with time_machine.travel(uk(2026, 11, 25, 7, 0), tick=False):
        send_due_reminder_emails()
    assert mail.outbox == []
