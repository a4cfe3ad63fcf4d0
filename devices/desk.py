"""Desk items about equipment: devices overdue, loans waiting for the borrower's
signature, and what the person holds. One query each, however many devices."""

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from core.desk import DUE, OVERDUE, WAITING, DeskItem, accesses, register
from core.roles import Cap

from .models import Loan, LoanItem


@register
def equipment_to_chase(request):
    schools = {a.school.pk: a.school for a in accesses(request) if a.can(Cap.MANAGE_DEVICES)}
    today = timezone.localdate()
    overdue = (
        LoanItem.objects.filter(
            loan__school_id__in=list(schools),
            returned_at__isnull=True,
            loan__cancelled_at__isnull=True,
            loan__due_on__lt=today,
        )
        .values("loan__school_id")
        .annotate(n=Count("pk"), oldest=Min("loan__due_on"))
        .order_by()
    )
    items = [
        DeskItem(
            title=f"{r['n']} {'device is' if r['n'] == 1 else 'devices are'} overdue",
            why="Their due date has passed and they have not come back: ask the borrowers to return them.",
            url=reverse("devices:overdue", args=[schools[r["loan__school_id"]].slug]),
            since=r["oldest"],
            area="equipment",
            urgency=OVERDUE,
            count=r["n"],
            school=schools[r["loan__school_id"]],
        )
        for r in overdue
    ]
    unsigned = (
        Loan.objects.filter(school_id__in=list(schools), receipt_signature__isnull=True, cancelled_at__isnull=True)
        .values("school_id")
        .annotate(n=Count("pk"), oldest=Min("created_at"))
        .order_by()
    )
    items += [
        DeskItem(
            title=f"{r['n']} {'loan waits' if r['n'] == 1 else 'loans wait'} for the borrower's signature",
            why="The equipment is not handed over until the borrower signs the loan conditions.",
            url=reverse("devices:register", args=[schools[r["school_id"]].slug]),
            since=r["oldest"],
            area="equipment",
            urgency=DUE,
            count=r["n"],
            school=schools[r["school_id"]],
        )
        for r in unsigned
    ]
    return items


@register
def equipment_i_hold(request):
    """Staff: what they hold, and anything of it overdue."""
    schools = {a.school.pk: a.school for a in accesses(request) if a.membership is not None}
    today = timezone.localdate()
    held = (
        LoanItem.objects.filter(
            loan__school_id__in=list(schools),
            loan__borrower__user=request.user,
            returned_at__isnull=True,
            loan__cancelled_at__isnull=True,
        )
        .select_related("device", "loan")
        .order_by("loan__due_on", "pk")
    )
    items = []
    for item in held:
        school = schools[item.loan.school_id]
        due = item.loan.due_on
        overdue = due is not None and due < today
        if item.loan.receipt_signature_id is None:
            why, urgency = "Sign the loan conditions to receive it.", DUE
        elif overdue:
            why, urgency = f"It was due back on {due.day} {due:%B %Y}: return it to the office.", OVERDUE
        elif due is not None:
            why, urgency = f"Due back on {due.day} {due:%B %Y}.", WAITING
        else:
            why, urgency = "Yours until you leave the school.", WAITING
        items.append(
            DeskItem(
                title=f"You hold: {item.device.label}",
                why=why,
                url=reverse("devices:mine", args=[school.slug]),
                since=item.loan.created_at,
                area="equipment",
                urgency=urgency,
                school=school,
            )
        )
    return items
