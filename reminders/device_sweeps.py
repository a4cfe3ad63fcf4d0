"""Device reminders (issues 6 and 8): equipment due back, and leavers' equipment.

Registered in reminders.sweeps' SWEEPS (imported at the end of sweeps.py); each sweep
reads the school's open loans in one query.

- Due back: the holder (the member of staff, or the carer who signed for a pupil)
  DUE_SOON_DAYS before the due date, on the day after it passed, then weekly while
  it is out.
- Leaving: a member of staff with a leaving date who still holds equipment hears
  LEAVER_NOTICE_DAYS before the date; the people who look after the register
  (MANAGE_DEVICES) get one line per leaver at the same steps.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.urls import reverse

from core.roles import Cap, roles_with
from devices.models import LoanItem
from schools.models import Membership

from .models import ReminderItem
from .sweeps import SchoolScan, _item, sweep

DUE_SOON_DAYS = 3
OVERDUE_EVERY_DAYS = 7
LEAVER_NOTICE_DAYS = (14, 7, 1)


def _open_items(scan: SchoolScan):
    return (
        LoanItem.objects.filter(
            loan__school=scan.school,
            returned_at__isnull=True,
            loan__cancelled_at__isnull=True,
            loan__receipt_signature__isnull=False,
        )
        .select_related("device", "loan__borrower__user", "loan__carer", "loan__pupil")
        .order_by("loan_id", "pk")
    )


def _by_loan(items) -> dict:
    loans = defaultdict(list)
    for item in items:
        loans[item.loan].append(item)
    return loans


def _devices(items) -> str:
    return ", ".join(
        " ".join(filter(None, [item.device.make, item.device.model])) + f" (serial {item.device.serial_number})"
        for item in items
    )


def due_step(due_on: datetime.date, today: datetime.date) -> tuple[str, datetime.date] | None:
    """("soon" | "overdue-N", the step's date) reached by `today`, or None."""
    if today > due_on:
        weeks = (today - due_on - datetime.timedelta(days=1)).days // OVERDUE_EVERY_DAYS
        return f"overdue-{weeks}", due_on + datetime.timedelta(days=1 + weeks * OVERDUE_EVERY_DAYS)
    if today >= due_on - datetime.timedelta(days=DUE_SOON_DAYS):
        return "soon", due_on - datetime.timedelta(days=DUE_SOON_DAYS)
    return None


def leaver_step(leaving_on: datetime.date, today: datetime.date) -> tuple[int, datetime.date] | None:
    """The notice (days before leaving) reached by `today`, or None once they have left."""
    if today > leaving_on:
        return None
    reached = [days for days in LEAVER_NOTICE_DAYS if today >= leaving_on - datetime.timedelta(days=days)]
    if not reached:
        return None
    return reached[-1], leaving_on - datetime.timedelta(days=reached[-1])


@sweep("device_loans_due")
def loans_due(scan: SchoolScan):
    slug = scan.school.slug
    items = _open_items(scan).filter(
        loan__due_on__isnull=False, loan__due_on__lte=scan.today + datetime.timedelta(days=DUE_SOON_DAYS)
    )
    for loan, held in _by_loan(items).items():
        step = due_step(loan.due_on, scan.today)
        if step is None:
            continue
        label, on = step
        due = f"{loan.due_on:%d/%m/%Y}"
        what = _devices(held)
        if loan.borrower_id:
            holder, url = loan.borrower.user_id, reverse("devices:mine", kwargs={"school_slug": slug})
            whose = "the school's"
        else:
            holder, url = loan.carer_id, reverse("family:home")
            whose = f"{loan.pupil.first_name}'s school"
        text = (
            f"Please return {whose} equipment by {due}: {what}."
            if label == "soon"
            else f"Overdue since {due}: please return {whose} equipment to the school office: {what}."
        )
        yield _item(scan, holder, ReminderItem.Kind.DEVICES, f"loan:{loan.pk}:{label}", on, text, url)


@sweep("leavers_equipment")
def leavers_equipment(scan: SchoolScan):
    slug = scan.school.slug
    latest = scan.today + datetime.timedelta(days=max(LEAVER_NOTICE_DAYS))
    items = _open_items(scan).filter(
        loan__borrower__isnull=False,
        loan__borrower__leaving_date__isnull=False,
        loan__borrower__leaving_date__gte=scan.today,
        loan__borrower__leaving_date__lte=latest,
    )
    held_by = defaultdict(list)
    for item in items:
        held_by[item.loan.borrower].append(item)
    if not held_by:
        return
    keepers = list(
        dict.fromkeys(
            Membership.objects.active()
            .filter(school=scan.school, user__is_active=True, roles__role__in=roles_with(Cap.MANAGE_DEVICES))
            .order_by("pk")
            .values_list("user_id", flat=True)
        )
    )
    leavers_url = reverse("devices:leavers", kwargs={"school_slug": slug})
    for membership, held in held_by.items():
        step = leaver_step(membership.leaving_date, scan.today)
        if step is None:
            continue
        days, on = step
        leaving = f"{membership.leaving_date:%d/%m/%Y}"
        yield _item(
            scan,
            membership.user_id,
            ReminderItem.Kind.DEVICES,
            f"leaver:{membership.pk}:{days}",
            on,
            f"Before you leave on {leaving}, please return the school's equipment: {_devices(held)}.",
            reverse("devices:mine", kwargs={"school_slug": slug}),
        )
        count = len(held)
        for keeper in keepers:
            if keeper == membership.user_id:
                continue
            yield _item(
                scan,
                keeper,
                ReminderItem.Kind.DEVICES,
                f"leaver:{membership.pk}:{days}:register",
                on,
                f"{membership.user.full_name} leaves on {leaving} and still holds {count} "
                f"device{'s' if count != 1 else ''} of the school's.",
                leavers_url,
            )
