"""Reminder emails go to the workers a batch a task (issue 19), each still exactly once:
a batch run again sends nothing twice, one email that fails neither stops nor repeats
the others, and neither the sweep's queries nor their parameters grow with the school."""

import datetime
import smtplib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.exceptions import Retry
from celery.signals import task_prerun
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from aup.models import Audience
from core.roles import Role
from reminders import services, tasks
from reminders.models import ReminderEmail, ReminderItem
from reminders.tasks import send_due_reminder_emails, send_reminder_emails
from schools.models import Membership
from tests.agreements.signing_helpers import publish_form_for, publish_staff_form
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory, UserFactory

UK = ZoneInfo("Europe/London")
THURSDAY_10AM = datetime.datetime(2026, 11, 5, 10, 0, tzinfo=UK)
pytestmark = pytest.mark.django_db


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def batches_run():
    """The email lists of the sending batches that ran (tasks run in-process here, and
    Celery signals each as a worker would)."""
    ran = []

    def record(sender=None, args=None, **kwargs):
        if getattr(sender, "name", None) == send_reminder_emails.name:
            ran.append(list(args[0]))

    task_prerun.connect(record, weak=False)
    yield ran
    task_prerun.disconnect(record)


class RefusesSome(EmailBackend):
    """A mail server that fails for the addresses in `failing`: a dropped connection
    (the message was not taken) or, for those in `broken`, an unexpected error."""

    failing: set[str] = set()
    broken: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            if message.to[0] in RefusesSome.broken:
                raise RuntimeError("The template engine fell over")
            if message.to[0] in RefusesSome.failing:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_server(settings):
    settings.EMAIL_BACKEND = "tests.reminders.test_batches.RefusesSome"
    RefusesSome.failing, RefusesSome.broken = set(), set()
    yield RefusesSome
    RefusesSome.failing, RefusesSome.broken = set(), set()


def waiting_email(school, person, key="form:1"):
    """An email due now, with one item, as a sweep leaves it."""
    email = ReminderEmail.objects.create(
        recipient=person, day=timezone.localdate(), send_after=timezone.now() - datetime.timedelta(minutes=1)
    )
    ReminderItem.objects.create(
        school=school,
        recipient=person,
        email=email,
        kind=ReminderItem.Kind.POSTS,  # no done-check reads the database for it
        subject_key=key,
        due_on=timezone.localdate(),
        text=f"Please look at {key}.",
        action_url="/",
    )
    return email


def states(*emails):
    return [ReminderEmail.objects.get(pk=e.pk).state for e in emails]


def sent_to():
    return sorted(m.to[0] for m in mail.outbox)


def people(school, n, prefix="t"):
    return [make_member(school, Role.TEACHER, user__email=f"{prefix}{i}@example.org") for i in range(n)]


# --- Sending in batches ----------------------------------------------------------------


def test_a_batch_run_again_after_a_failed_send_sends_each_email_once(school, flaky_server):
    a, b, c = (waiting_email(school, p) for p in people(school, 3))
    flaky_server.failing = {"t1@example.org"}

    # The mail server drops b's message: a and c go, and the batch is retried with b only.
    with pytest.raises(Retry) as retry:
        send_reminder_emails.delay([a.pk, b.pk, c.pk])
    assert retry.value.sig.args == ([b.pk],)
    assert states(a, b, c) == ["sent", "queued", "sent"]
    assert sent_to() == ["t0@example.org", "t2@example.org"]

    # The whole batch again (a redelivery of the first message), once the server is back.
    flaky_server.failing = set()
    assert send_reminder_emails.delay([a.pk, b.pk, c.pk]).get() == {"skipped": 2, "sent": 1}
    # And the retry of b, after that.
    assert send_reminder_emails.delay([b.pk]).get() == {"skipped": 1}

    assert sent_to() == ["t0@example.org", "t1@example.org", "t2@example.org"]  # each once
    assert [ReminderEmail.objects.get(pk=e.pk).attempts for e in (a, b, c)] == [1, 2, 1]


def test_an_unexpected_error_with_one_email_neither_stops_nor_repeats_the_others(school, flaky_server):
    a, b, c = (waiting_email(school, p) for p in people(school, 3))
    flaky_server.broken = {"t1@example.org"}

    assert send_reminder_emails.delay([a.pk, b.pk, c.pk]).get() == {"sent": 2, "error": 1}
    assert states(a, b, c) == ["sent", "sending", "sent"]

    # Run again: b may have reached the server before the error, so it is never resent;
    # the beat marks it failed once it counts as stuck.
    flaky_server.broken = set()
    assert send_reminder_emails.delay([a.pk, b.pk, c.pk]).get() == {"skipped": 3}
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20)):
        send_due_reminder_emails()
    assert states(a, b, c) == ["sent", "failed", "sent"]
    assert sent_to() == ["t0@example.org", "t2@example.org"]


def test_an_email_that_keeps_failing_ends_failed_without_holding_up_the_batch(school, flaky_server):
    a, b = (waiting_email(school, p) for p in people(school, 2))
    flaky_server.failing = {"t0@example.org"}
    for _ in range(tasks.MAX_ATTEMPTS - 1):
        with pytest.raises(Retry):
            send_reminder_emails.delay([a.pk, b.pk])
    assert send_reminder_emails.delay([a.pk, b.pk]).get() == {"failed": 1, "skipped": 1}
    assert states(a, b) == ["failed", "sent"]
    assert sent_to() == ["t1@example.org"]


def test_the_beat_hands_due_emails_over_a_batch_a_task(school, batches_run, monkeypatch):
    monkeypatch.setattr(tasks, "SEND_BATCH", 2)
    emails = [waiting_email(school, p) for p in people(school, 5)]

    assert send_due_reminder_emails() == 5

    assert batches_run == [[e.pk for e in emails[0:2]], [e.pk for e in emails[2:4]], [emails[4].pk]]
    assert len(mail.outbox) == 5


def _queries_of_a_batch(emails) -> tuple[int, int]:
    """(queries, most parameters of one query) of sending these emails in one batch."""
    found = {"queries": 0, "most": 0}

    def watch(execute, sql, params, many, context):
        found["queries"] += 1
        found["most"] = max(found["most"], len(params or ()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        send_reminder_emails.delay([e.pk for e in emails])
    return found["queries"], found["most"]


def test_a_batch_costs_the_same_queries_per_email_at_two_sizes(school):
    """Each email is claimed and recorded on its own (that is what makes it exactly
    once), so a batch's queries are a fixed number per email: the same for each email
    of a batch of 3 and of 6, with no query naming the batch's emails."""
    three = [waiting_email(school, p) for p in people(school, 3, "x")]
    six = [waiting_email(school, p) for p in people(school, 6, "y")]

    small, small_params = _queries_of_a_batch(three)
    large, large_params = _queries_of_a_batch(six)

    assert len(mail.outbox) == 9
    assert large == 2 * small
    assert large_params == small_params


# --- The sweep with sends --------------------------------------------------------------


def _add_people(school, pupil_class, n):
    for _ in range(n):
        make_member(school, Role.TEACHER)
        child = PupilFactory(school=school, school_class=pupil_class)
        GuardianshipFactory(pupil=child, carer=UserFactory())


def _sweep_with_sends(school, on_commit) -> tuple[int, int, int, list]:
    """Sweep in school hours: (reminders made, queries, most parameters of a query, the
    commit callbacks, which hand the emails to the workers)."""
    ReminderItem.objects.all().delete()
    ReminderEmail.objects.all().delete()
    found = {"queries": 0, "most": 0}

    def watch(execute, sql, params, many, context):
        found["queries"] += 1
        if not many:
            found["most"] = max(found["most"], len(params or ()))
        return execute(sql, params, many, context)

    with time_machine.travel(THURSDAY_10AM, tick=False):
        with on_commit(execute=False) as callbacks, connection.execute_wrapper(watch):
            made = services.run_sweeps(school=school)
    return made, found["queries"], found["most"], callbacks


def test_a_sweep_with_sends_runs_the_same_queries_with_the_same_parameters_for_5_people_or_50(
    school, head, school_class, on_commit, batches_run, monkeypatch
):
    monkeypatch.setattr(tasks, "SEND_BATCH", 25)
    published_at = THURSDAY_10AM - datetime.timedelta(days=3)
    with time_machine.travel(published_at, tick=False):
        publish_staff_form(school, head)
        publish_form_for(school, head, Audience.PARENTS, title="Parents ICT")
    school_class.teachers.add(Membership.objects.get(user=head))
    _add_people(school, school_class, 5)
    small, small_queries, small_params, _ = _sweep_with_sends(school, on_commit)
    _add_people(school, school_class, 45)
    large, large_queries, large_params, callbacks = _sweep_with_sends(school, on_commit)

    assert (small, large) == (11, 101)  # staff and parents, and the head
    assert large_queries == small_queries
    assert large_params == small_params  # no IN list of the school's people

    # On commit, the 101 emails go to the workers in 5 batches of at most 25, each once.
    with time_machine.travel(THURSDAY_10AM, tick=False):
        for callback in callbacks:
            callback()
    assert [len(batch) for batch in batches_run] == [25, 25, 25, 25, 1]
    assert sorted(pk for batch in batches_run for pk in batch) == sorted(
        ReminderEmail.objects.values_list("pk", flat=True)
    )
    assert len(mail.outbox) == 101 and len({m.to[0] for m in mail.outbox}) == 101
    assert set(ReminderEmail.objects.values_list("state", flat=True)) == {ReminderEmail.State.SENT}
