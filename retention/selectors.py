"""Reads the retention pages share: the review list with its counts by kind and
school, the destruction log, legal holds. Each a fixed number of queries."""

from collections import defaultdict

from django.db.models import Max, Sum

from core import retention

from .models import Destruction, LegalHold, Review


def current_review(trust) -> Review | None:
    """The review waiting for the DPO, else the one being destroyed, else None."""
    return (
        Review.objects.filter(trust=trust, status__in=[Review.Status.OPEN, Review.Status.APPROVED])
        .select_related("approved_by")
        .order_by("-created_at", "-id")
        .first()
    )


def review_table(review: Review) -> list[dict]:
    """[{kind, lines: [ReviewLine], total, destroyed}] in the schedule's order."""
    grouped = defaultdict(list)
    for line in review.lines.select_related("school").order_by("school__name"):
        grouped[line.kind].append(line)
    rows = []
    for kind in retention.kinds():
        lines = grouped.get(kind.key)
        if lines:
            rows.append(
                {"kind": kind, "lines": lines, "total": sum(line.count for line in lines), "action": lines[0].action}
            )
    return rows


def destruction_log(trust):
    return (
        Destruction.objects.filter(review__trust=trust)
        .values(
            "review_id",
            "kind",
            "kind_label",
            "school__name",
            "action",
            "rule",
            "approved_at",
            "approved_by__first_name",
            "approved_by__last_name",
            "approved_by__email",
        )
        .annotate(count=Sum("count"), destroyed_on=Max("destroyed_at"))
        .order_by("-approved_at", "kind", "school__name")
    )


def holds_in(school):
    return (
        LegalHold.objects.filter(school=school)
        .select_related("placed_by", "lifted_by")
        .order_by("lifted_at", "-placed_at")
    )
