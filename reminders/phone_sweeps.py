"""Phone permission reminders (issue 7): a parent's request for their child to bring
a mobile phone, waiting for the head's decision.

Registered in reminders.sweeps' SWEEPS (imported at the end of sweeps.py); one query
for the whole school. Each head hears the day after the request, then weekly while it
waits. The text names no pupil: the link opens the requests page.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from consent.models import PhonePermission, PhoneStatus

from .models import ReminderItem
from .still_due import done_check
from .sweeps import SchoolScan, _item, sweep

WAITING_EVERY_DAYS = 7


def waiting_step(asked_on: datetime.date, today: datetime.date) -> tuple[int, datetime.date] | None:
    """(the week number, the step's date) reached by `today`: the day after the
    request, then every WAITING_EVERY_DAYS; None on the day itself."""
    if today <= asked_on:
        return None
    weeks = (today - asked_on - datetime.timedelta(days=1)).days // WAITING_EVERY_DAYS
    return weeks, asked_on + datetime.timedelta(days=1 + weeks * WAITING_EVERY_DAYS)


@sweep("phone_requests_waiting")
def phone_requests_waiting(scan: SchoolScan):
    heads = scan.heads
    if not heads:
        return
    url = reverse("consent:phone_requests", kwargs={"school_slug": scan.school.slug})
    waiting = (
        PhonePermission.objects.filter(school=scan.school, status=PhoneStatus.REQUESTED)
        .values_list("pk", "signed_at")
        .order_by("signed_at", "pk")
    )
    for pk, signed_at in waiting:
        asked_on = timezone.localdate(signed_at)
        step = waiting_step(asked_on, scan.today)
        if step is None:
            continue
        weeks, on = step
        text = (
            f"A parent asked on {asked_on:%d/%m/%Y} for their child to bring a mobile phone to school: "
            "it is waiting for your decision."
        )
        for head in heads:
            yield _item(scan, head, ReminderItem.Kind.PHONES, f"phone:{pk}:{weeks}", on, text, url)


def _phone_subject(item) -> int | None:
    """The request's id, from "phone:<id>:<week>"."""
    parts = item.subject_key.split(":")
    if len(parts) == 3 and parts[0] == "phone" and parts[1].isdigit():
        return int(parts[1])
    return None


@done_check(ReminderItem.Kind.PHONES)
def decided_meanwhile(items, recipient) -> set[int]:
    """Done once the request is no longer waiting (decided, withdrawn, or gone): one query."""
    subjects = {item.pk: s for item in items if (s := _phone_subject(item)) is not None}
    if not subjects:
        return set()
    still_waiting = set(
        PhonePermission.objects.filter(pk__in=set(subjects.values()), status=PhoneStatus.REQUESTED).values_list(
            "pk", flat=True
        )
    )
    return {item_id for item_id, pk in subjects.items() if pk not in still_waiting}
