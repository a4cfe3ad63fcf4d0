"""Countersignature reminders (issue 20): a pupil signed a form the school has a parent
countersign; each carer with parental responsibility is reminded on the school's
cadence, counted from the day the pupil signed, until one of them countersigns.

Registered in reminders.sweeps' SWEEPS (imported at the end of sweeps.py); one query
for the whole school.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from agreements.countersigning.selectors import PARENT, awaiting
from agreements.models import Countersignature
from schools.models import Guardianship

from .models import ReminderItem
from .still_due import done_check
from .sweeps import SchoolScan, _form_name, _item, sweep


@sweep("countersignatures_awaited")
def countersignatures_awaited(scan: SchoolScan):
    today = timezone.localdate()
    rows = (
        Guardianship.objects.filter(
            parental_responsibility=True,
            pupil__school=scan.school,
            pupil__in=awaiting(PARENT).filter(school=scan.school).values("pupil_id"),
        )
        .exclude(pupil__leaving_date__lte=today)
        .values_list("carer_id", "pupil_id", "pupil__first_name")
    )
    by_pupil: dict[int, list[tuple[int, str]]] = {}
    for carer_id, pupil_id, first_name in rows:
        by_pupil.setdefault(pupil_id, []).append((carer_id, first_name))
    if not by_pupil:
        return
    for signature in awaiting(PARENT).filter(school=scan.school).select_related("form__version__policy"):
        step = scan.step_date(timezone.localdate(signature.signed_at))
        if not step:
            continue
        for carer_id, first_name in by_pupil.get(signature.pupil_id, []):
            yield _item(
                scan,
                carer_id,
                ReminderItem.Kind.COUNTERSIGN,
                f"countersign:{signature.pk}",
                step,
                f"Please countersign what {first_name} agreed at school: {_form_name(signature.form)}.",
                reverse("family_sign:countersign", args=[signature.pk]),
            )


@done_check(ReminderItem.Kind.COUNTERSIGN)
def countersigned_meanwhile(items, recipient) -> set[int]:
    """Done once any carer has countersigned: one query."""
    subjects = {}
    for item in items:
        parts = item.subject_key.split(":")
        if len(parts) == 2 and parts[1].isdigit():
            subjects[item.pk] = int(parts[1])
    if not subjects:
        return set()
    done = set(
        Countersignature.objects.filter(signature_id__in=set(subjects.values())).values_list("signature_id", flat=True)
    )
    return {item_id for item_id, signature_id in subjects.items() if signature_id in done}
