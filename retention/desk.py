"""The DPO's desk: a review of records at the end of their retention, waiting for
their approval. One query, however many trusts."""

from django.urls import reverse

from core.desk import DUE, DeskItem, register

from .models import Review


@register
def review_waiting(request):
    reviews = (
        Review.objects.filter(
            status=Review.Status.OPEN,
            trust__memberships__user=request.user,
            trust__memberships__ended_at__isnull=True,
        )
        .select_related("trust")
        .distinct()
    )
    items = []
    for review in reviews:
        items.append(
            DeskItem(
                title=f"Review the records at the end of their retention in {review.trust.name}",
                url=reverse("retention_trust:review", args=[review.trust.slug]),
                why="The nightly sweep found records past their retention rules; nothing is destroyed until you approve.",
                since=review.swept_on,
                area="settings",
                urgency=DUE,
            )
        )
    return items
