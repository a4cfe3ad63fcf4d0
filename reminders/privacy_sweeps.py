"""Data protection request reminders (issue 21): a request for access, rectification
or erasure must be answered within one calendar month of receipt.

Registered in reminders.sweeps' SWEEPS (imported at the end of sweeps.py); one query
for the whole school. Each head hears a week before the deadline and again on the day
it passes (if still open): two steps, each sent once however often the sweep runs.
The text names nobody: the link opens the request.
"""

from __future__ import annotations

import datetime

from django.urls import reverse

from privacy.models import REMIND_DAYS_BEFORE, RightsRequest

from .models import ReminderItem
from .still_due import done_check
from .sweeps import SchoolScan, _item, sweep


def request_step(due_on: datetime.date, today: datetime.date) -> datetime.date | None:
    """The reminder that has come by `today`: a week before the deadline, then the day
    after it (overdue); None before the first."""
    warning = due_on - datetime.timedelta(days=REMIND_DAYS_BEFORE)
    overdue = due_on + datetime.timedelta(days=1)
    if today >= overdue:
        return overdue
    if today >= warning:
        return warning
    return None


@sweep("privacy_requests_due")
def privacy_requests_due(scan: SchoolScan):
    heads = scan.heads
    if not heads:
        return
    open_requests = (
        RightsRequest.objects.filter(school=scan.school, decision="")
        .values_list("pk", "kind", "received_on", "due_on")
        .order_by("due_on", "pk")
    )
    for pk, kind, received_on, due_on in open_requests:
        step = request_step(due_on, scan.today)
        if step is None:
            continue
        what = RightsRequest(kind=kind).get_kind_display().split(" (")[0].lower()
        if step > due_on:
            text = (
                f"A {what} request received on {received_on:%d/%m/%Y} is past its deadline of "
                f"{due_on:%d/%m/%Y}: answer it now."
            )
        else:
            text = f"A {what} request received on {received_on:%d/%m/%Y} must be answered by {due_on:%d/%m/%Y}."
        url = reverse("privacy:request", kwargs={"school_slug": scan.school.slug, "rights_request_id": pk})
        for head in heads:
            yield _item(scan, head, ReminderItem.Kind.PRIVACY, f"rights:{pk}", step, text, url, urgent=step > due_on)


@done_check(ReminderItem.Kind.PRIVACY)
def decided_meanwhile(items, recipient) -> set[int]:
    """Done once the request is decided: one query."""
    subjects = {}
    for item in items:
        parts = item.subject_key.split(":")
        if len(parts) == 2 and parts[0] == "rights" and parts[1].isdigit():
            subjects[item.pk] = int(parts[1])
    if not subjects:
        return set()
    still_open = set(
        RightsRequest.objects.filter(pk__in=set(subjects.values()), decision="").values_list("pk", flat=True)
    )
    return {item_id for item_id, pk in subjects.items() if pk not in still_open}
