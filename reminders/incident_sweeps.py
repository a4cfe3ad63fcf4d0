"""Incident reminders (issue 6): the 72-hour breach deadline and incident follow-ups.

Registered in reminders.sweeps' SWEEPS (imported at the end of sweeps.py). Each
sweep reads the school's open incidents in a fixed number of queries. The items name
no pupil and say nothing of what happened: "An e-safety incident (INC-2026-0007) is
waiting for triage", with a link to the incident page (which checks who may see it).
Nobody named among the staff involved in an incident is reminded about it.

- The ICO decision on a personal data breach (72 real hours from the moment the
  school became aware): to the head and the DSL 48 and 60 hours after awareness, at
  the deadline, then every 24 hours while it is overdue, until the decision is
  recorded (or the incident is closed). These are urgent: each goes at once, in an
  email of its own, even at night, at weekends or after the day's email has gone.
- Follow-ups: reported more than TRIAGE_AFTER_DAYS days ago and still not triaged, to
  the DSL and the e-safety lead; awaiting the head's review for more than
  REVIEW_AFTER_DAYS days, to the head; then weekly while it waits.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from incidents.clock import UK, uk_datetime
from incidents.models import ICO_DEADLINE, EntryKind, Incident, IncidentEntry, Status
from schools.models import Membership

from .models import ReminderItem
from .still_due import done_check
from .sweeps import SchoolScan, _item, sweep

# Hours after awareness at which the head and the DSL hear about an undecided breach.
BREACH_STEPS_HOURS = (48, 60)
OVERDUE_EVERY = datetime.timedelta(hours=24)
TRIAGE_AFTER_DAYS = 2
REVIEW_AFTER_DAYS = 7
FOLLOW_UP_EVERY_DAYS = 7


def _url(scan, incident_id) -> str:
    return reverse("incidents:detail", kwargs={"school_slug": scan.school.slug, "incident_id": incident_id})


def _people(scan, *roles) -> list[int]:
    """Active people of the school holding any of `roles` (one query per call)."""
    return list(
        dict.fromkeys(
            Membership.objects.active()
            .filter(school=scan.school, user__is_active=True, roles__role__in=roles)
            .order_by("pk")
            .values_list("user_id", flat=True)
        )
    )


def _involved(incident_ids) -> dict[int, set[int]]:
    """incident id -> the user ids of the staff named as involved (one query)."""
    found = defaultdict(set)
    for incident_id, user_id in Incident.staff.through.objects.filter(incident_id__in=incident_ids).values_list(
        "incident_id", "membership__user_id"
    ):
        found[incident_id].add(user_id)
    return found


def breach_step(aware_at: datetime.datetime, now: datetime.datetime) -> tuple[str, datetime.datetime] | None:
    """The latest reminder step reached by `now` for a breach the school became aware of
    at `aware_at`: ("48h" | "60h" | "overdue-N", the moment of the step), or None."""
    elapsed = now - aware_at
    if elapsed >= ICO_DEADLINE:
        n = int((elapsed - ICO_DEADLINE) / OVERDUE_EVERY)
        return f"overdue-{n}", aware_at + ICO_DEADLINE + n * OVERDUE_EVERY
    reached = [hours for hours in BREACH_STEPS_HOURS if elapsed >= datetime.timedelta(hours=hours)]
    if not reached:
        return None
    return f"{reached[-1]}h", aware_at + datetime.timedelta(hours=reached[-1])


@sweep("incident_breach_deadline")
def breach_deadline(scan: SchoolScan):
    breaches = list(
        Incident.objects.filter(school=scan.school, personal_data_breach=True, ico_decision="pending")
        .exclude(status=Status.CLOSED)
        .values_list("pk", "reference", "aware_at")
        .order_by("aware_at", "pk")
    )
    if not breaches:
        return
    now = timezone.now()
    due = [(pk, ref, aware_at, step) for pk, ref, aware_at in breaches if (step := breach_step(aware_at, now))]
    if not due:
        return
    recipients = list(dict.fromkeys(scan.heads + scan.leaders.get(Role.DSL, [])))
    involved = _involved([pk for pk, *_ in due])
    for pk, reference, aware_at, (label, moment) in due:
        deadline = uk_datetime(aware_at + ICO_DEADLINE)
        if label.startswith("overdue"):
            text = (
                f"Overdue: the decision on reporting a personal data breach ({reference}) to the ICO "
                f"was due by {deadline}. Record it now."
            )
        else:
            left = 72 - int(label[:-1])
            text = (
                f"{left} hours left to decide whether to report a personal data breach ({reference}) "
                f"to the ICO: the deadline is {deadline}."
            )
        for recipient_id in recipients:
            if recipient_id in involved.get(pk, ()):
                continue
            yield _item(
                scan,
                recipient_id,
                ReminderItem.Kind.INCIDENT,
                f"incident:{pk}:ico:{label}",
                timezone.localtime(moment, UK).date(),
                text,
                _url(scan, pk),
                urgent=True,
            )


def _follow_up_step(since: datetime.datetime, first_after_days: int, today: datetime.date) -> datetime.date | None:
    """First reminder `first_after_days` (UK) days after `since`, then weekly."""
    start = timezone.localtime(since, UK).date() + datetime.timedelta(days=first_after_days)
    if today < start:
        return None
    weeks = (today - start).days // FOLLOW_UP_EVERY_DAYS
    return start + datetime.timedelta(days=weeks * FOLLOW_UP_EVERY_DAYS)


@sweep("incident_follow_ups")
def follow_ups(scan: SchoolScan):
    waiting = list(
        Incident.objects.filter(school=scan.school, status__in=[Status.REPORTED, Status.AWAITING_REVIEW])
        .values_list("pk", "reference", "status", "reported_at")
        .order_by("reported_at", "pk")
    )
    if not waiting:
        return
    review_ids = [pk for pk, _, status, _ in waiting if status == Status.AWAITING_REVIEW]
    awaiting_since = {}
    if review_ids:
        # When each was last put to the head: its latest status change to awaiting review.
        awaiting_since = dict(
            IncidentEntry.objects.filter(
                incident_id__in=review_ids, kind=EntryKind.STATUS_CHANGE, data__to=Status.AWAITING_REVIEW
            )
            .values("incident_id")
            .annotate(since=Max("created_at"))
            .values_list("incident_id", "since")
        )
    triagers = review_heads = None
    involved = _involved([pk for pk, *_ in waiting])
    for pk, reference, status, reported_at in waiting:
        if status == Status.REPORTED:
            step = _follow_up_step(reported_at, TRIAGE_AFTER_DAYS, scan.today)
            if step is None:
                continue
            if triagers is None:
                triagers = _people(scan, Role.DSL, Role.ESAFETY_LEAD)
            recipients, what = triagers, "triage"
            since = reported_at
            text = f"An e-safety incident ({reference}) is waiting for triage: reported on {_uk_date(since)}."
        else:
            since = awaiting_since.get(pk, reported_at)
            step = _follow_up_step(since, REVIEW_AFTER_DAYS, scan.today)
            if step is None:
                continue
            if review_heads is None:
                review_heads = scan.heads
            recipients, what = review_heads, "review"
            text = (
                f"An e-safety incident ({reference}) is waiting for your review: "
                f"ready for review since {_uk_date(since)}."
            )
        for recipient_id in recipients:
            if recipient_id in involved.get(pk, ()):
                continue
            yield _item(
                scan,
                recipient_id,
                ReminderItem.Kind.INCIDENT,
                f"incident:{pk}:{what}",
                step,
                text,
                _url(scan, pk),
            )


def _uk_date(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment, UK):%d/%m/%Y}"


@done_check(ReminderItem.Kind.INCIDENT)
def incident_done_meanwhile(items, recipient) -> set[int]:
    """An incident reminder waiting to go (an urgent one retrying, a follow-up waiting
    for quiet hours) is dropped once it is no longer true: the ICO decision recorded or
    the incident closed; triaged; no longer awaiting the head's review. One query."""
    subjects = {}
    for item in items:
        parts = item.subject_key.split(":")
        if parts[0] == "incident" and parts[1].isdigit():
            subjects[item.pk] = (int(parts[1]), parts[2])
    if not subjects:
        return set()
    state = {
        pk: (status, decision)
        for pk, status, decision in Incident.objects.filter(pk__in={i for i, _ in subjects.values()}).values_list(
            "pk", "status", "ico_decision"
        )
    }
    done = set()
    for item_id, (incident_id, what) in subjects.items():
        if incident_id not in state:
            done.add(item_id)
            continue
        status, decision = state[incident_id]
        if (
            (what == "ico" and (decision != "pending" or status == Status.CLOSED))
            or (what == "triage" and status != Status.REPORTED)
            or (what == "review" and status != Status.AWAITING_REVIEW)
        ):
            done.add(item_id)
    return done
