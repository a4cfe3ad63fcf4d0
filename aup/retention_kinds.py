"""Superseded policy versions on the retention schedule (core.retention): seed 001
keeps a replaced policy 7 years. Signatures point at a version's forms, so the end is
a person's review, not a deletion."""

import datetime

from django.utils import timezone

from core import retention

from .models import PolicyVersion


def superseded_versions_due(school_ids, cutoff, holds):
    end = timezone.make_aware(datetime.datetime.combine(cutoff + datetime.timedelta(days=1), datetime.time()))
    return PolicyVersion.objects.filter(policy__school_id__in=school_ids, superseded_at__lt=end)


retention.register(
    retention.RecordKind(
        key="aup.superseded_versions",
        label="Superseded policy versions",
        clock="the date the version was replaced",
        years=7,
        action=retention.REVIEW,
        source="Seed 001 (policy end notes): superseded versions are kept 7 years from replacement.",
        due=superseded_versions_due,
        school_field="policy__school_id",
        order=80,
    )
)
