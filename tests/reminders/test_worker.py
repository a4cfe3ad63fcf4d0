"""With real workers on Redis: a worker killed mid-send sends nothing twice.

The first worker (a real `celery worker` process) claims a reminder email, hands it to
the mail server, and is killed (SIGKILL) before it records it as sent. A second worker
then runs the task again (as Redis would redeliver it) and the beat's sending sweep,
before and after the email counts as stuck: the email is never sent a second time, it
ends FAILED ("not sent again"), and the other person's email goes once."""

import datetime
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone

from config.celery import app as celery_app
from core.models import WorkerHeartbeat
from core.roles import Role
from core.tasks import record_worker_heartbeat
from reminders.models import ReminderEmail, ReminderItem
from reminders.tasks import send_due_reminder_emails, send_reminder_email, send_reminder_emails
from tests.conftest import make_member
from tests.factories import SchoolFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """A database the worker processes can open too: the test database itself on
    PostgreSQL; on SQLite, whose test database lives in this process's memory, a file
    migrated for this test (and the in-memory one put back afterwards)."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield dict(connection.settings_dict)
        return
    saved_settings, saved_connection = connection.settings_dict, connection.connection
    connection.connection = None
    connection.settings_dict = {**saved_settings, "NAME": str(tmp_path / "worker.sqlite3")}
    try:
        call_command("migrate", verbosity=0)
        yield dict(connection.settings_dict)
    finally:
        connection.close()
        connection.settings_dict, connection.connection = saved_settings, saved_connection


def _wait_until(condition, seconds=60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError:  # SQLite, busy for a moment while a worker writes
            pass
        time.sleep(0.1)
    return False


class Workers:
    def __init__(self, folder: Path, database: dict, queue: str):
        self.folder, self.queue = folder, queue
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings",
            "REMINDER_TEST_DIR": str(folder),
            "REMINDER_TEST_DATABASE": json.dumps(database, default=str),
            "REMINDER_TEST_QUEUE": queue,
            "REDIS_URL": settings.TEST_REDIS_URL,
        }
        self.started: list[subprocess.Popen] = []

    def start(self, name: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname={name}@%h",
                "-Q",
                self.queue,
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.started.append(process)
        return process

    def stop_all(self):
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def log(self, name) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text()[-3000:] if path.exists() else ""


def _purge(queue):
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)


def _reminder_email(school, recipient, key):
    email = ReminderEmail.objects.create(
        recipient=recipient, day=timezone.localdate(), send_after=timezone.now() - datetime.timedelta(minutes=1)
    )
    ReminderItem.objects.create(
        school=school,
        recipient=recipient,
        email=email,
        kind=ReminderItem.Kind.SIGNATURE,
        subject_key=key,
        due_on=timezone.localdate(),
        text=f"Please read and sign: {key}.",
        action_url="/",
    )
    return email


def _state(email):
    email.refresh_from_db()
    return email.state


def _sent_to(folder) -> list[str]:
    log = folder / "sent.log"
    return log.read_text().split() if log.exists() else []


def _outbox_messages(folder, address) -> int:
    outbox = folder / "outbox"
    if not outbox.exists():
        return 0
    return sum(f.read_text().count(f"To: {address}") for f in outbox.iterdir())


@pytest.mark.worker
@pytest.mark.skipif(not settings.TEST_REDIS_URL, reason="needs REDIS_URL (CI sets it)")
def test_a_worker_killed_mid_send_sends_nothing_twice(shared_database, tmp_path):
    assert celery_app.conf.broker_url.startswith("redis://")
    queue = f"reminders-test-{uuid.uuid4().hex[:12]}"
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "hold").touch()

    school = SchoolFactory()
    stuck_person = make_member(school, Role.TEACHER, user__email="stuck@example.org")
    other_person = make_member(school, Role.TEACHER, user__email="other@example.org")
    stuck = _reminder_email(school, stuck_person, "form:1")
    other = _reminder_email(school, other_person, "form:2")

    workers = Workers(folder, shared_database, queue)
    celery_app.conf.task_always_eager = False
    try:
        _purge(queue)
        # The first worker claims the email, the mail server takes it, and the worker
        # stalls before recording it as sent...
        first = workers.start("first")
        send_reminder_email.apply_async((stuck.pk,), queue=queue)
        assert _wait_until(lambda: any(folder.glob("taken-*")), 90), workers.log("first")
        assert _state(stuck) == ReminderEmail.State.SENDING
        # ... and is killed there.
        first.kill()
        first.wait(timeout=20)
        (folder / "hold").unlink()

        # A second worker: the task again (as Redis redelivers an unacknowledged task)
        # and the beat's sending sweep, which sends the other person's email.
        workers.start("second")
        send_reminder_email.apply_async((stuck.pk,), queue=queue)
        send_due_reminder_emails.apply_async(queue=queue)
        assert _wait_until(lambda: _state(other) == ReminderEmail.State.SENT, 90), workers.log("second")

        # Fifteen minutes on, the sweep finds the email still SENDING: FAILED, not resent.
        ReminderEmail.objects.filter(pk=stuck.pk).update(claimed_at=timezone.now() - datetime.timedelta(minutes=20))
        send_due_reminder_emails.apply_async(queue=queue)
        assert _wait_until(lambda: _state(stuck) == ReminderEmail.State.FAILED, 60), workers.log("second")
        send_reminder_email.apply_async((stuck.pk,), queue=queue)
        send_due_reminder_emails.apply_async(queue=queue)
        # The one queue is first in, first out: once this has run, so has all the above.
        WorkerHeartbeat.objects.all().delete()
        record_worker_heartbeat.apply_async(queue=queue)
        assert _wait_until(lambda: WorkerHeartbeat.objects.exists(), 60), workers.log("second")
    finally:
        celery_app.conf.task_always_eager = True
        workers.stop_all()
        _purge(queue)

    assert sorted(_sent_to(folder)) == ["other@example.org", "stuck@example.org"]  # each once
    assert _outbox_messages(folder, "stuck@example.org") == 1
    assert _outbox_messages(folder, "other@example.org") == 1
    stuck.refresh_from_db()
    assert stuck.state == ReminderEmail.State.FAILED and stuck.attempts == 1
    assert "not sent again" in stuck.last_error.lower()
    other.refresh_from_db()
    assert other.state == ReminderEmail.State.SENT and other.attempts == 1


@pytest.mark.worker
@pytest.mark.skipif(not settings.TEST_REDIS_URL, reason="needs REDIS_URL (CI sets it)")
def test_a_batch_redelivered_after_its_worker_died_sends_each_email_once(shared_database, tmp_path):
    """A batch of three (issue 19): the worker dies after the mail server took the first
    email; the batch runs again on another worker, as Redis redelivers it. The first is
    not sent again (it ends FAILED), the other two go, once each."""
    queue = f"reminders-test-{uuid.uuid4().hex[:12]}"
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "hold").touch()

    school = SchoolFactory()
    emails = [
        _reminder_email(school, make_member(school, Role.TEACHER, user__email=f"{name}@example.org"), f"form:{n}")
        for n, name in enumerate(["first", "second", "third"])
    ]
    batch = [email.pk for email in emails]

    workers = Workers(folder, shared_database, queue)
    celery_app.conf.task_always_eager = False
    try:
        _purge(queue)
        first = workers.start("first")
        send_reminder_emails.apply_async((batch,), queue=queue)
        assert _wait_until(lambda: any(folder.glob("taken-*")), 90), workers.log("first")
        assert [_state(e) for e in emails] == ["sending", "queued", "queued"]
        first.kill()
        first.wait(timeout=20)
        (folder / "hold").unlink()

        workers.start("second")
        send_reminder_emails.apply_async((batch,), queue=queue)  # the redelivered batch
        assert _wait_until(lambda: _state(emails[2]) == ReminderEmail.State.SENT, 90), workers.log("second")
        ReminderEmail.objects.filter(pk=emails[0].pk).update(claimed_at=timezone.now() - datetime.timedelta(minutes=20))
        send_due_reminder_emails.apply_async(queue=queue)
        send_reminder_emails.apply_async((batch,), queue=queue)  # and once more, for good measure
        WorkerHeartbeat.objects.all().delete()
        record_worker_heartbeat.apply_async(queue=queue)  # first in, first out: all the above ran
        assert _wait_until(lambda: WorkerHeartbeat.objects.exists(), 60), workers.log("second")
    finally:
        celery_app.conf.task_always_eager = True
        workers.stop_all()
        _purge(queue)

    assert sorted(_sent_to(folder)) == ["first@example.org", "second@example.org", "third@example.org"]
    for name in ("first", "second", "third"):
        assert _outbox_messages(folder, f"{name}@example.org") == 1
    assert [_state(e) for e in emails] == ["failed", "sent", "sent"]
    assert [ReminderEmail.objects.get(pk=pk).attempts for pk in batch] == [1, 1, 1]
