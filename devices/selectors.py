"""Reads of the equipment register, always scoped to one school (or one person), with a
fixed number of queries however many devices or loans."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from agreements.selectors import published_forms
from aup.models import Audience

from .models import Device, DeviceCheck, DeviceSettings, DeviceSighting, DeviceStatus, Loan, LoanItem

_HOLDER = ("loan__borrower__user", "loan__pupil", "loan__carer")


def settings_for(school) -> DeviceSettings:
    """The school's lending rules; the defaults (both on) if it never changed them."""
    return DeviceSettings.objects.filter(school=school).first() or DeviceSettings(school=school)


def loan_conditions(school):
    """The school's published loan conditions (an agreement form of the LOANS
    audience), or None."""
    return published_forms(school, Audience.LOANS).prefetch_related("statements").first()


def _open_items():
    return LoanItem.objects.filter(returned_at__isnull=True).select_related(*_HOLDER)


def register(school, *, search: str = "", device_type: str = "", status: str = ""):
    """The school's devices, each with its open loan item (if any) in `open_items`.
    `search` matches the serial number, the asset tag or the holder's name; every
    word must match."""
    devices = Device.objects.filter(school=school)
    if device_type:
        devices = devices.filter(device_type=device_type)
    if status:
        devices = devices.filter(status=status)
    for word in search.split():
        holder = LoanItem.objects.filter(device=OuterRef("pk"), returned_at__isnull=True).filter(
            Q(loan__borrower__user__first_name__icontains=word)
            | Q(loan__borrower__user__last_name__icontains=word)
            | Q(loan__pupil__first_name__icontains=word)
            | Q(loan__pupil__last_name__icontains=word)
            | Q(loan__carer__first_name__icontains=word)
            | Q(loan__carer__last_name__icontains=word)
        )
        devices = devices.filter(
            Q(serial_number__icontains=word)
            | Q(asset_tag__icontains=word)
            | Q(make__icontains=word)
            | Q(model__icontains=word)
            | Exists(holder)
        )
    return devices.prefetch_related(Prefetch("loan_items", queryset=_open_items(), to_attr="open_items")).order_by(
        "device_type", "make", "model", "serial_number", "pk"
    )


def device_history(device):
    """Every loan of the device, newest first, with who held it and the receipts."""
    return (
        LoanItem.objects.filter(device=device)
        .select_related(*_HOLDER, "loan__receipt_signature", "return_signature", "received_by", "loan__lent_by")
        .order_by("-loan__created_at", "-pk")
    )


def open_item_of(device) -> LoanItem | None:
    return _open_items().filter(device=device).first()


def loan_of_school(school, loan_id):
    return (
        Loan.objects.filter(school=school, pk=loan_id)
        .select_related("borrower__user", "pupil", "carer", "lent_by", "receipt_signature")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=LoanItem.objects.select_related("device", "return_signature", "received_by").order_by("pk"),
            )
        )
        .first()
    )


def overdue_items(school, today=None):
    """Devices whose due date has passed and that have not come back, oldest due first."""
    today = today or timezone.localdate()
    return (
        LoanItem.objects.filter(
            loan__school=school,
            returned_at__isnull=True,
            loan__cancelled_at__isnull=True,
            loan__due_on__lt=today,
        )
        .select_related("device", *_HOLDER)
        .order_by("loan__due_on", "loan_id", "pk")
    )


def leavers_items(school):
    """Everything held by staff with a leaving date (and by pupils who are leaving),
    by leaving date."""
    return (
        LoanItem.objects.filter(loan__school=school, returned_at__isnull=True, loan__cancelled_at__isnull=True)
        .filter(Q(loan__borrower__leaving_date__isnull=False) | Q(loan__pupil__leaving_date__isnull=False))
        .select_related("device", "loan__borrower", *_HOLDER)
        .order_by("loan__borrower__leaving_date", "loan__pupil__leaving_date", "loan_id", "pk")
    )


def loans_of(user, school=None):
    """The person's own loans (as a member of staff, or as the carer who signs for a
    child), with their devices."""
    loans = Loan.objects.filter(Q(borrower__user=user) | Q(carer=user), cancelled_at__isnull=True)
    if school is not None:
        loans = loans.filter(school=school)
    return (
        loans.select_related("school", "borrower__user", "pupil", "carer", "receipt_signature")
        .prefetch_related(
            Prefetch("items", queryset=LoanItem.objects.select_related("device", "return_signature").order_by("pk"))
        )
        .order_by("-created_at", "-pk")
    )


def open_check(school):
    return DeviceCheck.objects.filter(school=school, finished_at__isnull=True).select_related("started_by").first()


def last_finished_check(school):
    return (
        DeviceCheck.objects.filter(school=school, finished_at__isnull=False)
        .select_related("started_by", "finished_by")
        .first()
    )


def check_devices(check, *, search: str = "", unseen_only: bool = False):
    """The devices a check covers (everything not disposed of), each annotated with
    `seen` (whether it was ticked in `check`), with their open loan's holder."""
    devices = register(check.school, search=search).exclude(status=DeviceStatus.DISPOSED)
    devices = devices.annotate(seen=Exists(DeviceSighting.objects.filter(device_check=check, device=OuterRef("pk"))))
    if unseen_only:
        devices = devices.filter(seen=False)
    return devices


def check_counts(check) -> tuple[int, int]:
    """(devices seen, devices to see) in the check."""
    total = Device.objects.filter(school=check.school).exclude(status=DeviceStatus.DISPOSED).count()
    return check.sightings.count(), total


def available_devices(school):
    return Device.objects.filter(school=school, status=DeviceStatus.AVAILABLE)


def policy_managers(school):
    """Who can publish the loan conditions (those who manage policies), by name, for
    the lend page's empty state when the office cannot do it themselves."""
    from core.roles import Cap, roles_with
    from schools.models import Membership

    return list(
        Membership.objects.active()
        .with_role(*roles_with(Cap.MANAGE_POLICIES))
        .filter(school=school)
        .select_related("user")
        .prefetch_related("roles")
        .order_by("user__last_name", "user__first_name")[:5]
    )
