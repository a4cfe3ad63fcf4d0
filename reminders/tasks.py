"""Sending reminder emails exactly once.

The email row is claimed (QUEUED -> SENDING, committed) before the mail server is
called. A task that runs again (a retry, a redelivery after a worker died, a second
sweep) finds it SENDING or SENT and does nothing. A mail server that refuses the
message puts it back to QUEUED and the task retries with back-off; one that refuses
the address marks it BOUNCED. An email left SENDING by a worker that died mid-send
is marked FAILED by the sweep and not resent: nobody gets a reminder twice.

Emails go to the workers in batches (send_reminder_emails, SEND_BATCH a task), each
claimed on its own just before it is sent, so all of the above holds email by email
inside a batch that is retried or redelivered."""

from __future__ import annotations

import datetime
import logging
import smtplib

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from core.email import send_templated_email

from .models import ReminderEmail, ReminderItem
from .still_due import done_meanwhile

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
STUCK_AFTER = datetime.timedelta(minutes=15)


class SendFailed(Exception):
    """The mail server did not take the message; it was not sent."""


def _claim(email_id: int) -> ReminderEmail | None:
    """QUEUED -> SENDING in one conditional UPDATE (committed at once): of two workers
    running the same email, the database lets one change the row; the other changes
    nothing and gets None."""
    now = timezone.now()
    claimed = ReminderEmail.objects.filter(pk=email_id, state=ReminderEmail.State.QUEUED, send_after__lte=now).update(
        state=ReminderEmail.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return ReminderEmail.objects.select_related("recipient").get(pk=email_id)


def deliver(email_id: int) -> str:
    """Send one reminder email if it is still waiting to go. Returns its new state."""
    email = _claim(email_id)
    if email is None:
        return "skipped"
    recipient = email.recipient
    items = list(email.items.select_related("school", "trust").order_by("school__name", "trust__name", "pk"))
    done = done_meanwhile(items, recipient)
    if done:
        ReminderItem.objects.filter(pk__in=done).update(dropped_at=timezone.now())
        items = [item for item in items if item.pk not in done]
    if not items:
        _finish(email, ReminderEmail.State.NOT_NEEDED)
        return ReminderEmail.State.NOT_NEEDED
    try:
        send_templated_email(
            to=[recipient.email],
            template="reminder",
            context={
                "recipient": recipient,
                "items": items,
                "schools": _schools(items),
                "groups": _groups(items),
                "email": email,
            },
        )
    except smtplib.SMTPRecipientsRefused as error:
        _finish(email, ReminderEmail.State.BOUNCED, error=str(error))
        return ReminderEmail.State.BOUNCED
    except (OSError, smtplib.SMTPException) as error:
        state = ReminderEmail.State.FAILED if email.attempts >= MAX_ATTEMPTS else ReminderEmail.State.QUEUED
        _finish(email, state, error=str(error) or error.__class__.__name__)
        if state == ReminderEmail.State.QUEUED:
            raise SendFailed(str(error)) from error
        return state
    _finish(email, ReminderEmail.State.SENT)
    return ReminderEmail.State.SENT


def _finish(email: ReminderEmail, state: str, error: str = "") -> None:
    email.state = state
    email.last_error = error[:1000]
    if state == ReminderEmail.State.SENT:
        email.sent_at = timezone.now()
    email.save(update_fields=["state", "last_error", "sent_at"])


def _owner(item):
    """The school the item belongs to, or the trust (a trust-wide policy's review)."""
    return item.school if item.school_id is not None else item.trust


def _schools(items) -> list:
    """The schools and trusts the items belong to, in order (each has a name)."""
    seen = {}
    for item in items:
        seen.setdefault((item.school_id, item.trust_id), _owner(item))
    return list(seen.values())


def _groups(items) -> list[dict]:
    """The items under the name of their school or trust: [{"name", "items"}]."""
    groups = {}
    for item in items:
        key = (item.school_id, item.trust_id)
        if key not in groups:
            groups[key] = {"name": _owner(item).name, "items": []}
        groups[key]["items"].append(item)
    return list(groups.values())


@shared_task(
    acks_late=True, autoretry_for=(SendFailed,), retry_backoff=30, retry_backoff_max=3600, max_retries=MAX_ATTEMPTS
)
def send_reminder_email(email_id: int) -> str:
    """One email. Nothing queues it any more (queue_sends makes batches); kept so that
    messages already in the broker when this version is deployed still run."""
    return deliver(email_id)


# Emails a sending task takes in turn: a sweep that makes 27,000 emails publishes 135
# messages, not 27,000 (each a round trip to the broker), and a batch is a few seconds
# of a worker's time, so a large school still spreads over the workers.
SEND_BATCH = 200


def queue_sends(email_ids: list[int]) -> int:
    """Publish the sending of `email_ids`, SEND_BATCH to a task. Returns how many tasks."""
    batches = [email_ids[i : i + SEND_BATCH] for i in range(0, len(email_ids), SEND_BATCH)]
    for batch in batches:
        send_reminder_emails.delay(batch)
    return len(batches)


def _backoff(retries: int) -> int:
    """Seconds before a batch's emails the mail server did not take are tried again:
    30 s, doubling, at most an hour (as the one-email task's retry_backoff)."""
    return min(30 * 2**retries, 3600)


@shared_task(bind=True, acks_late=True, max_retries=MAX_ATTEMPTS)
def send_reminder_emails(self, email_ids: list[int]) -> dict:
    """Send a batch of reminder emails, each exactly once: each is claimed on its own
    (see deliver) just before it goes, so a batch run again (a retry, a redelivery after
    the worker died) skips those sent or being sent and sends the rest. An email the mail
    server did not take is back in QUEUED and tried again, with back-off, in a batch of
    the failed ones only; an unexpected error with one email is logged and does not stop
    the others (an email it left SENDING is marked FAILED by the beat, never resent).
    Returns how many ended in each state."""
    outcome: dict[str, int] = {}
    again = []
    for email_id in email_ids:
        try:
            state = deliver(email_id)
        except SendFailed:
            state = "retrying"
            again.append(email_id)
        except Exception:
            logger.exception("Reminder email %s: not sent", email_id)
            state = "error"
        outcome[state] = outcome.get(state, 0) + 1
    if again:
        raise self.retry(args=(again,), countdown=_backoff(self.request.retries))
    return outcome


@shared_task(acks_late=True)
def send_due_reminder_emails() -> int:
    """Beat, every few minutes: queue the emails whose quiet hours are over, and mark
    as failed any left half-sent by a worker that died (never resent)."""
    now = timezone.now()
    ReminderEmail.objects.filter(state=ReminderEmail.State.SENDING, claimed_at__lt=now - STUCK_AFTER).update(
        state=ReminderEmail.State.FAILED,
        last_error="The worker stopped while sending. Not sent again, so that nobody gets it twice.",
    )
    due = list(
        ReminderEmail.objects.filter(state=ReminderEmail.State.QUEUED, send_after__lte=now)
        .order_by("send_after", "pk")  # the longest waiting first
        .values_list("pk", flat=True)
    )
    queue_sends(due)
    return len(due)


@shared_task(acks_late=True)
def run_reminder_sweeps() -> int:
    """Beat, every hour: sweep each school for what is due (one task per school, so a
    large trust spreads over the workers), and each trust for its own policies. Safe to
    run any number of times: each reminder is recorded once. Returns how many schools."""
    from schools.models import School, Trust

    school_ids = list(School.objects.order_by("pk").values_list("pk", flat=True))
    for school_id in school_ids:
        sweep_school.delay(school_id)
    for trust_id in Trust.objects.order_by("pk").values_list("pk", flat=True):
        sweep_trust.delay(trust_id)
    return len(school_ids)


@shared_task(acks_late=True)
def sweep_school(school_id: int) -> int:
    from schools.models import School

    from .services import run_sweeps

    school = School.objects.filter(pk=school_id).first()
    if school is None:
        return 0
    return run_sweeps(school=school)


@shared_task(acks_late=True)
def sweep_trust(trust_id: int) -> int:
    from schools.models import Trust

    from .services import queue_items
    from .trust_sweeps import due_trust_items

    trust = Trust.objects.filter(pk=trust_id).first()
    if trust is None:
        return 0
    return queue_items(due_trust_items(trust))
