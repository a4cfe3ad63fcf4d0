"""The devices app's parts of a person's record: a pupil's loans, the equipment a
member of staff holds, and a carer's loans to sign for a child.

The loan pages they link to open for those who keep the register (VIEW_DEVICES), so
the record asks for the same; a carer sees their own child's loans in the family view."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from core.records import Section, family_section, pupil_section, staff_section
from core.roles import Cap
from core.text import plural

from .models import Loan, LoanItem


def _loans(**filters):
    """Loans (not cancelled) with their devices, newest first: two queries."""
    return list(
        Loan.objects.filter(cancelled_at__isnull=True, **filters)
        .select_related("carer")
        .prefetch_related(Prefetch("items", queryset=LoanItem.objects.select_related("device").order_by("pk")))
        .order_by("-created_at", "-pk")
    )


def _section(request, loans, *, title, empty):
    today = timezone.localdate()
    rows = []
    held = 0
    overdue = 0
    for loan in loans:
        for item in loan.items.all():
            is_overdue = item.is_open and loan.due_on is not None and loan.due_on < today
            held += item.is_open
            overdue += is_overdue
            rows.append({"loan": loan, "item": item, "overdue": is_overdue})
    rows.sort(key=lambda r: (not r["item"].is_open, -r["loan"].pk))
    summary = f"{plural(held, 'device')} held" + (f", {overdue} overdue" if overdue else "")
    return Section(
        key="devices",
        title=title,
        template="records/devices.html",
        context={"rows": rows, "empty": empty},
        summary=summary,
        link=("Equipment register", reverse("devices:register", args=[request.school.slug])),
        attention=bool(overdue),
    )


@pupil_section(order=50)
def pupil_loans(request, pupil):
    if not request.access.can(Cap.VIEW_DEVICES):
        return None
    loans = _loans(school=request.school, pupil=pupil)
    return _section(request, loans, title="Devices on loan", empty=f"{pupil.first_name} has never borrowed a device.")


@staff_section(order=30)
def staff_equipment(request, membership):
    if not request.access.can(Cap.VIEW_DEVICES) or membership.is_parent_only:
        return None
    loans = _loans(school=request.school, borrower=membership)
    return _section(request, loans, title="Equipment held", empty="They have never borrowed equipment.")


@family_section(order=50)
def family_loans(viewer, guardianship):
    """Loans of the child's that wait for this carer's signature."""
    if not viewer.can(Cap.VIEW_DEVICES):
        return None
    loans = [
        loan
        for loan in _loans(pupil_id=guardianship.pupil_id, carer_id=guardianship.carer_id)
        if loan.awaiting_signature
    ]
    if not loans:
        return None
    return Section(
        key="devices",
        title="Devices to sign for",
        template="records/family_loans.html",
        context={"loans": loans},
        summary=plural(len(loans), "loan") + " to sign for",
        attention=True,
    )
