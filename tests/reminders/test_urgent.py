"""Urgent reminders (a data breach's 72-hour deadline): sent at once, in an email of
their own, whatever the quiet hours and however many emails went that day; still once."""

import datetime
import smtplib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from core.roles import Role
from reminders import services
from reminders.models import ReminderEmail, ReminderItem
from reminders.tasks import deliver, send_due_reminder_emails
from tests.agreements.signing_helpers import publish_staff_form
from tests.conftest import make_member
from tests.incidents.conftest import report

UK = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db

# Thursday 26 November 2026, 10:00 GMT: 48 hours on is Saturday 28th at 10:00.
THURSDAY_10AM = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=UK)
SATURDAY_10AM = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=UK)
MONDAY_7AM = datetime.datetime(2026, 11, 30, 7, 0, tzinfo=UK)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def sweep(school, on_commit):
    def run(moment):
        with time_machine.travel(moment, tick=False):
            with on_commit(execute=True):
                made = services.run_sweeps(school=school)
            with on_commit(execute=True):
                send_due_reminder_emails()
        return made

    return run


@pytest.fixture
def reporter(school):
    return make_member(school, Role.TEACHER, user__first_name="Ottoline", user__last_name="Pemberthwaite")


def breach_reported(school, reporter, when=THURSDAY_10AM):
    with time_machine.travel(when, tick=False):
        mail.outbox.clear()
        incident = report(school, reporter, category="data_sent_in_error", personal_data_breach=True)
    mail.outbox.clear()  # the "incident reported" notices
    return incident


def reminders_to(user, urgent=None):
    found = [m for m in mail.outbox if m.to == [user.email]]
    if urgent is not None:
        found = [m for m in found if m.subject.startswith("Urgent:") == urgent]
    return found


def test_a_breach_step_on_saturday_morning_is_sent_then_not_on_monday(school, head, dsl, reporter, sweep):
    breach = breach_reported(school, reporter)
    sweep(SATURDAY_10AM - datetime.timedelta(minutes=1))
    assert not ReminderEmail.objects.filter(urgent=True).exists()
    assert sweep(SATURDAY_10AM) == 2
    for person in (head, dsl):
        sent = reminders_to(person, urgent=True)
        assert len(sent) == 1
        assert sent[0].subject.startswith("Urgent: ")
        assert breach.reference in sent[0].subject and "24 hours left" in sent[0].body
        assert "sent at once" in sent[0].body
    emails = ReminderEmail.objects.filter(urgent=True)
    assert emails.count() == 2
    for email in emails:
        assert email.state == ReminderEmail.State.SENT
        assert email.send_after == SATURDAY_10AM and email.sent_at == SATURDAY_10AM
        assert email.day == datetime.date(2026, 11, 28)
        assert [i.kind for i in email.items.all()] == [ReminderItem.Kind.INCIDENT]


def test_ordinary_reminders_found_the_same_saturday_still_wait_for_monday(school, head, dsl, reporter, sweep):
    breach_reported(school, reporter)  # not triaged: the DSL is also chased to triage it
    sweep(SATURDAY_10AM)
    triage = ReminderItem.objects.get(recipient=dsl, subject_key__endswith=":triage")
    assert not triage.email.urgent
    assert triage.email.state == ReminderEmail.State.QUEUED and triage.email.send_after == MONDAY_7AM
    assert len(reminders_to(dsl, urgent=True)) == 1 and reminders_to(dsl, urgent=False) == []
    assert sweep(MONDAY_7AM) >= 0
    ordinary = reminders_to(dsl, urgent=False)
    assert len(ordinary) == 1 and "waiting for triage" in ordinary[0].body
    assert "Urgent" not in ordinary[0].subject


def test_an_urgent_reminder_goes_even_after_the_days_ordinary_email_has_gone(school, head, reporter, sweep, on_commit):
    # Aware Monday 10:00: the 48-hour step is Wednesday 10:00.
    breach_reported(school, reporter, when=datetime.datetime(2026, 11, 23, 10, 0, tzinfo=UK))
    form = publish_staff_form(school, head)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, 0, tzinfo=UK), tick=False), on_commit(execute=True):
        services.remind_now(school=school, form=form, recipients={head: []}, requested_by=head)
    ordinary = ReminderEmail.objects.get(recipient=head, urgent=False)
    assert ordinary.state == ReminderEmail.State.SENT
    sweep(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=UK))
    assert len(reminders_to(head, urgent=False)) == 1
    assert len(reminders_to(head, urgent=True)) == 1
    urgent = ReminderEmail.objects.get(recipient=head, urgent=True)
    assert urgent.day == ordinary.day and urgent.state == ReminderEmail.State.SENT
    ordinary.refresh_from_db()
    assert ordinary.items.count() == 1  # the breach did not join (or wait for) tomorrow's email


def test_running_the_sweep_again_sends_nothing_new_and_leaves_no_empty_email(school, head, dsl, reporter, sweep):
    breach_reported(school, reporter)
    sweep(SATURDAY_10AM)
    sent, emails = len(mail.outbox), ReminderEmail.objects.count()
    assert sweep(SATURDAY_10AM) == 0
    assert sweep(SATURDAY_10AM + datetime.timedelta(hours=1)) == 0
    assert len(mail.outbox) == sent and ReminderEmail.objects.count() == emails
    assert ReminderItem.objects.filter(subject_key__contains=":ico:").count() == 2


def test_an_urgent_item_made_by_a_concurrent_sweep_rolls_back_its_email(school, head, on_commit):
    item = {
        "school": school,
        "recipient_id": head.pk,
        "kind": ReminderItem.Kind.INCIDENT,
        "subject_key": "incident:1:ico:48h",
        "due_on": SATURDAY_10AM.date(),
        "text": "24 hours left to decide.",
        "action_url": "/",
        "urgent": True,
    }
    with time_machine.travel(SATURDAY_10AM, tick=False), on_commit(execute=False) as callbacks:
        assert services._queue_urgent(item, SATURDAY_10AM) is not None
        # The other sweep read "not recorded" before this one committed.
        from django.db import transaction

        with transaction.atomic():
            assert services._queue_urgent(item, SATURDAY_10AM) is None
    assert ReminderEmail.objects.count() == 1 and ReminderItem.objects.count() == 1
    assert len(callbacks) == 1


def test_urgent_items_ignore_a_never_preference(school, head, reporter, sweep):
    from reminders.models import ReminderPreference

    ReminderPreference.objects.create(user=head, frequency=ReminderPreference.Frequency.NEVER)
    breach_reported(school, reporter)
    sweep(SATURDAY_10AM)
    assert len(reminders_to(head, urgent=True)) == 1
    assert ReminderItem.objects.get(recipient=head).mandatory


class FlakyBackend(EmailBackend):
    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_a_failed_urgent_send_is_retried_and_sent_exactly_once(school, head, reporter, settings, on_commit):
    breach_reported(school, reporter)
    settings.EMAIL_BACKEND = "tests.reminders.test_urgent.FlakyBackend"
    FlakyBackend.failures = 1
    with time_machine.travel(SATURDAY_10AM, tick=False):
        with pytest.raises(Retry), on_commit(execute=True):
            services.run_sweeps(school=school)
        email = ReminderEmail.objects.get(urgent=True)
        assert email.state == ReminderEmail.State.QUEUED and "unexpectedly closed" in email.last_error
    with time_machine.travel(SATURDAY_10AM + datetime.timedelta(minutes=1), tick=False):
        with on_commit(execute=True):
            assert services.run_sweeps(school=school) == 0
        assert deliver(email.pk) == ReminderEmail.State.SENT
        assert deliver(email.pk) == "skipped"
        send_due_reminder_emails()
    assert len(reminders_to(head, urgent=True)) == 1
    email.refresh_from_db()
    assert email.state == ReminderEmail.State.SENT and email.attempts == 2


def test_a_retry_after_the_ico_decision_is_recorded_sends_nothing(school, head, reporter, settings, on_commit):
    from incidents.models import ICODecision
    from incidents.services import record_ico_decision

    breach = breach_reported(school, reporter)
    settings.EMAIL_BACKEND = "tests.reminders.test_urgent.FlakyBackend"
    FlakyBackend.failures = 1
    with time_machine.travel(SATURDAY_10AM, tick=False):
        with pytest.raises(Retry), on_commit(execute=True):
            services.run_sweeps(school=school)
        email = ReminderEmail.objects.get(urgent=True)
    with time_machine.travel(SATURDAY_10AM + datetime.timedelta(minutes=5), tick=False):
        record_ico_decision(
            incident=breach, by=head, decision=ICODecision.NOT_REPORTED, reason="No risk to anyone: recalled."
        )
        assert deliver(email.pk) == ReminderEmail.State.NOT_NEEDED
    assert reminders_to(head, urgent=True) == []
    assert ReminderItem.objects.get(email=email).dropped_at is not None


def test_the_log_marks_urgent_reminders_in_words(school, head, dsl, reporter, sweep, client_for):
    breach_reported(school, reporter)
    sweep(SATURDAY_10AM)
    page = client_for(head).get(f"/s/{school.slug}/reminders/").content.decode()
    assert "<strong>Urgent</strong> (goes at once)" in page
    assert page.count("<strong>Urgent</strong>") == 2  # the two breach items, not the triage ones


def test_urgent_items_take_a_few_queries_each_and_ordinary_ones_stay_constant(school, head, on_commit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    def items(n, tag, urgent=0):
        people = [UserFactory() for _ in range(n)]
        made = [
            {
                "school": school,
                "recipient_id": p.pk,
                "kind": ReminderItem.Kind.DIGEST,
                "subject_key": f"{tag}:{p.pk}",
                "due_on": SATURDAY_10AM.date(),
                "text": "Something.",
                "action_url": "/",
            }
            for p in people
        ]
        for entry in made[:urgent]:
            entry["urgent"] = True
        return made

    def count(batch):
        with time_machine.travel(SATURDAY_10AM, tick=False), on_commit(execute=False):
            with CaptureQueriesContext(connection) as queries:
                services.queue_items(batch)
        return len(queries)

    assert count(items(3, "a")) == count(items(30, "b"))
    assert count(items(30, "c", urgent=1)) <= count(items(3, "d")) + 6


def test_queue_item_can_make_an_urgent_reminder_once(school, head, reporter, on_commit):
    breach = breach_reported(school, reporter)
    args = {
        "school": school,
        "recipient": head,
        "kind": ReminderItem.Kind.INCIDENT,
        "subject_key": f"incident:{breach.pk}:ico:60h",
        "due_on": SATURDAY_10AM.date(),
        "text": "12 hours left to decide.",
        "action_url": "/",
        "urgent": True,
    }
    with time_machine.travel(SATURDAY_10AM, tick=False):
        with on_commit(execute=True):
            assert services.queue_item(**args) is not None
        with on_commit(execute=True):
            assert services.queue_item(**args) is None
    [sent] = mail.outbox
    assert sent.subject == f"Urgent: {school.name}: 12 hours left to decide."
    html, _ = sent.alternatives[0]
    assert "<strong>Urgent:</strong>" in html
    assert ReminderEmail.objects.get().urgent
