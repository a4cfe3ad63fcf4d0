"""Inviting the new parents of an import: in batches, through Celery, with progress
the page shows, and never a second email to anyone.

The first test runs a real Celery worker against Redis, in a thread of this process,
so what it sends lands in the same `mail.outbox`. The others run the task eagerly.
"""

import time
from collections import Counter

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import OperationalError

from accounts.models import Invitation
from config.celery import app as celery_app
from core.models import WorkerHeartbeat
from core.roles import Role
from core.tasks import record_worker_heartbeat
from schools import tasks
from schools.models import Membership, RosterImport
from tests.conftest import make_member

from . import exports
from .helpers import import_file

PARENTS = 60  # more than two batches of INVITATION_BATCH


def _pupils(n: int) -> bytes:
    return exports.sims_pupils([exports.pupil(i, f"Child{i}", f"Family{i}", "3", "Hazel") for i in range(n)])


def _contacts(n: int, *extra: dict) -> bytes:
    rows = [
        {
            "upn": exports.upn(i),
            "first_name": f"Parent{i}",
            "last_name": f"Family{i}",
            "email": f"parent{i}@example.com",
            "relationship": "Mother",
            "pr": True,
        }
        for i in range(n)
    ]
    return exports.sims_contacts(rows + list(extra))


def _parents(n: int) -> set[str]:
    return {f"parent{i}@example.com" for i in range(n)}


def _recipients() -> Counter:
    return Counter(address for message in mail.outbox for address in message.to)


def _wait_until(condition, *, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError:  # SQLite's shared in-memory database, busy for a moment
            pass
        time.sleep(0.1)
    return False


def _worker_has_done_everything_queued_so_far() -> bool:
    """Queue a heartbeat and wait for the worker to run it: the one queue is first in,
    first out, so whatever was queued before it has run by then (and anything that
    queued more on commit, e.g. an email, is run before a second heartbeat)."""
    for _ in range(2):
        WorkerHeartbeat.objects.all().delete()
        record_worker_heartbeat.delay()
        if not _wait_until(lambda: WorkerHeartbeat.objects.exists(), seconds=30):
            return False
    return True


@pytest.mark.worker
@pytest.mark.skipif(not settings.TEST_REDIS_URL, reason="needs REDIS_URL (CI sets it)")
def test_a_real_worker_invites_each_new_parent_once_in_batches_and_a_second_run_sends_nothing(
    transactional_db, school, head
):
    import_file(school, "pupils", _pupils(PARENTS), by=head)
    assert celery_app.conf.broker_url.startswith("redis://")
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            # The task is queued when the import commits.
            import_file(school, "contacts", _contacts(PARENTS), by=head, invite=True)
            roster_import = RosterImport.objects.get(school=school, kind="contacts")
            assert roster_import.invitations_total == PARENTS

            # The emails go out after each batch commits; only the outbox is watched
            # while the worker writes (SQLite's in-memory database is shared by threads).
            assert _wait_until(lambda: len(mail.outbox) >= PARENTS), f"{len(mail.outbox)} emails sent"
            assert _wait_until(lambda: _progress(roster_import) == (PARENTS, PARENTS)), _progress(roster_import)

            # Run it again, as a redelivered message would be: nothing more is sent.
            tasks.send_roster_invitations.delay(roster_import.pk)
            assert _worker_has_done_everything_queued_so_far()
            # And from the start, as if a worker died before it saved its progress:
            # everyone already holds a live invitation, so no one gets another.
            RosterImport.objects.filter(pk=roster_import.pk).update(invitations_sent=0)
            tasks.send_roster_invitations.delay(roster_import.pk)
            assert _wait_until(lambda: _progress(roster_import) == (PARENTS, PARENTS)), _progress(roster_import)
            assert _worker_has_done_everything_queued_so_far()
    finally:
        celery_app.conf.task_always_eager = True
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")

    assert _recipients() == Counter(_parents(PARENTS))  # each new parent once, no one else
    invitations = Invitation.objects.filter(email__in=_parents(PARENTS))
    assert invitations.count() == PARENTS
    assert Counter(invitations.values_list("email", flat=True)) == Counter(_parents(PARENTS))
    assert not invitations.filter(email_sent_at__isnull=True).exists()
    assert not invitations.filter(revoked_at__isnull=False).exists()  # the links sent still work
    assert _progress(roster_import) == (PARENTS, PARENTS)


def _progress(roster_import) -> tuple[int, int]:
    roster_import.refresh_from_db()
    return roster_import.invitations_sent, roster_import.invitations_total


# --- Eagerly ---------------------------------------------------------------------------


@pytest.fixture
def requeued(monkeypatch):
    """(invitations_sent, invitations made so far) each time the task is queued:
    when the import commits and each time a batch re-queues the rest."""
    seen = []
    task = tasks.send_roster_invitations
    queue = task.delay

    def delay(roster_import_id):
        seen.append((RosterImport.objects.get(pk=roster_import_id).invitations_sent, Invitation.objects.count()))
        return queue(roster_import_id)

    monkeypatch.setattr(task, "delay", delay)
    return seen


def test_invitations_go_out_a_batch_at_a_time_and_the_progress_counts_up(
    school, head, requeued, django_capture_on_commit_callbacks
):
    assert tasks.INVITATION_BATCH == 25
    import_file(school, "pupils", _pupils(PARENTS), by=head)

    with django_capture_on_commit_callbacks(execute=True):
        import_file(school, "contacts", _contacts(PARENTS), by=head, invite=True)

    # Queued on commit with nothing sent, then re-queued after each full batch.
    assert requeued == [(0, 0), (25, 25), (50, 50)]
    roster_import = RosterImport.objects.get(school=school, kind="contacts")
    assert _progress(roster_import) == (PARENTS, PARENTS)
    assert _recipients() == Counter(_parents(PARENTS))
    assert Invitation.objects.count() == PARENTS


def test_only_people_new_to_the_portal_are_invited(school, head, django_capture_on_commit_callbacks):
    import_file(school, "pupils", _pupils(3), by=head)
    # A teacher here who is also a parent signs in already: no invitation.
    teacher = make_member(school, Role.TEACHER, user__email="teacher.parent@example.com")
    as_parent = {
        "upn": exports.upn(2),
        "first_name": "Tess",
        "last_name": "Teacher",
        "email": teacher.email,
        "relationship": "Mother",
        "pr": True,
    }

    with django_capture_on_commit_callbacks(execute=True):
        import_file(school, "contacts", _contacts(2, as_parent), by=head, invite=True)

    assert _recipients() == Counter(_parents(2))
    assert Role.PARENT in Membership.objects.get(user=teacher, school=school).role_codes


def test_running_the_task_again_sends_no_second_invitation(school, head, django_capture_on_commit_callbacks):
    import_file(school, "pupils", _pupils(30), by=head)
    with django_capture_on_commit_callbacks(execute=True):
        import_file(school, "contacts", _contacts(30), by=head, invite=True)
    roster_import = RosterImport.objects.get(school=school, kind="contacts")
    assert len(mail.outbox) == 30

    # Finished: a second run has nothing left to do.
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_roster_invitations.delay(roster_import.pk)
    # Interrupted before its progress was saved, and run from the start again: everyone
    # already holds a live invitation, so no one gets another.
    RosterImport.objects.filter(pk=roster_import.pk).update(invitations_sent=0)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_roster_invitations.delay(roster_import.pk)

    assert len(mail.outbox) == 30
    assert Invitation.objects.count() == 30
    assert not Invitation.objects.filter(revoked_at__isnull=False).exists()  # the first links still work
    assert _progress(roster_import) == (30, 30)


def test_a_parent_who_has_left_before_their_batch_is_not_invited(school, head, django_capture_on_commit_callbacks):
    import_file(school, "pupils", _pupils(30), by=head)
    import_file(school, "contacts", _contacts(30), by=head, invite=True)  # not sent: no commit
    roster_import = RosterImport.objects.get(school=school, kind="contacts")
    Membership.objects.filter(school=school, user__email="parent29@example.com").update(status=Membership.Status.LEFT)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_roster_invitations.delay(roster_import.pk)

    assert _recipients() == Counter(_parents(29))
    assert _progress(roster_import) == (30, 30)
