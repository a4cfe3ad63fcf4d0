"""Equipment loans on the retention schedule (core.retention): a loan, its items and
the borrower's signed receipt and returns (with their PDFs), from the day the last
device came back (or the loan was cancelled). The devices themselves stay on the
register. The signatures are listed on the review as the kind's "signatures" part, so
the disposal path may delete them with their loan."""

import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from agreements.models import Signature
from agreements.retention_kinds import dispose_signatures
from core import retention
from core.retention_disposal import purge

from .models import Loan, LoanItem


def loans_due(school_ids, cutoff, holds):
    end = timezone.make_aware(datetime.datetime.combine(cutoff + datetime.timedelta(days=1), datetime.time()))
    still_out_or_recent = LoanItem.objects.filter(loan_id=OuterRef("pk")).filter(
        Q(returned_at__isnull=True) | Q(returned_at__gte=end)
    )
    return (
        Loan.objects.filter(school_id__in=school_ids)
        .filter(Q(cancelled_at__lt=end) | (Q(cancelled_at__isnull=True) & ~Exists(still_out_or_recent)))
        .filter(Exists(LoanItem.objects.filter(loan_id=OuterRef("pk"))) | Q(cancelled_at__isnull=False))
        .exclude(pupil_id__in=holds.pupils)
        .exclude(carer_id__in=holds.people)
        .exclude(borrower__user_id__in=holds.people)
    )


def loan_signatures(due):
    loans = due.values("pk")
    return (
        Signature.objects.filter(Q(device_loans__in=loans) | Q(device_returns__loan__in=loans))
        .values_list("pk", "school_id")
        .distinct()
    )


def dispose_loans(ids, disposal) -> int:
    signature_ids = sorted(
        set(
            Loan.objects.filter(pk__in=ids, receipt_signature__isnull=False).values_list(
                "receipt_signature_id", flat=True
            )
        )
        | set(
            LoanItem.objects.filter(loan_id__in=ids, return_signature__isnull=False).values_list(
                "return_signature_id", flat=True
            )
        )
    )
    purge(disposal, LoanItem, "loan_id", ids)
    count = purge(disposal, Loan, "id", ids)
    dispose_signatures(signature_ids, disposal.part("signatures"))
    return count


retention.register(
    retention.RecordKind(
        key="devices.loans",
        label="Equipment loans, with their signed receipts and returns",
        clock="the day the last device came back (or the loan was cancelled)",
        years=6,
        action=retention.DELETE,
        source="IRMS Information Management Toolkit for Schools: inventories and records of equipment, current year + 6 years.",
        due=loans_due,
        dispose=dispose_loans,
        parts={"signatures": loan_signatures},
        order=75,
    )
)
