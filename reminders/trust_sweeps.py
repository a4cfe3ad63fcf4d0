"""Trust reminders (issue 6): the review of a trust-wide policy, to the trust's officers.

A trust's policy (school empty, trust set) is reviewed at trust level; each school holds
a read-only copy (adopted_from set), which the school's review sweep skips. Here, run
trust by trust (tasks.sweep_trust), each published version with a review date reminds
its responsible person (if active) and every active trust officer at the same steps as
a school's review (sweeps.review_step), with the same wording. Items carry trust (no
school) and go under the default quiet hours. Three queries per trust.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from aup.models import PolicyVersion, VersionStatus
from schools.models import TrustMembership

from .models import ReminderItem
from .sweeps import review_step, review_text


def trust_reviews(trust) -> list[PolicyVersion]:
    """Published versions of the trust's own policies with a review date."""
    return list(
        PolicyVersion.objects.filter(
            policy__trust=trust,
            policy__school__isnull=True,
            status=VersionStatus.PUBLISHED,
            next_review_on__isnull=False,
        )
        .select_related("policy", "responsible")
        .order_by("next_review_on", "pk")
    )


def trust_officers(trust) -> list[int]:
    """Ids of the trust's active officers (membership not ended, account active)."""
    return list(
        dict.fromkeys(
            TrustMembership.objects.active()
            .filter(trust=trust, user__is_active=True)
            .order_by("pk")
            .values_list("user_id", flat=True)
        )
    )


def due_trust_items(trust, today: datetime.date | None = None) -> list[dict]:
    """The trust's reminders due today, as dicts for services.queue_items."""
    today = today or timezone.localdate()
    versions = [(v, step) for v in trust_reviews(trust) if (step := review_step(v.next_review_on, today))]
    if not versions:
        return []
    officers = trust_officers(trust)
    items = []
    for version, step in versions:
        recipients = list(officers)
        if version.responsible_id and version.responsible.is_active and version.responsible_id not in recipients:
            recipients.insert(0, version.responsible_id)
        url = reverse("aup_trust:version", kwargs={"trust_slug": trust.slug, "version_id": version.pk})
        text = review_text(version, today)
        items += [
            {
                "school": None,
                "trust": trust,
                "recipient_id": recipient_id,
                "kind": ReminderItem.Kind.POLICY_REVIEW,
                "subject_key": f"review:{version.pk}",
                "due_on": step,
                "text": text,
                "action_url": url,
                "mandatory": False,
            }
            for recipient_id in recipients
        ]
    return items
