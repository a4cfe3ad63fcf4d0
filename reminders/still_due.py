"""Is a reminder still needed when its email is about to go? An email can wait hours
for the end of quiet hours: a person who signed meanwhile must not be chased.

Extension point: decorate `fn(items, recipient) -> set of item ids no longer needed` with
`@done_check(ReminderItem.Kind.X)`; done_meanwhile calls it with that kind's items only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db.models import Q

from agreements.models import Kind, Signature
from aup.models import AgreementForm, VersionStatus
from core.academic_year import AcademicYear

from .models import ReminderItem

DoneCheck = Callable[[list, object], set]

_CHECKS: dict[str, DoneCheck] = {}


def done_check(kind: str) -> Callable[[DoneCheck], DoneCheck]:
    """Register `fn(items, recipient)` as the check for items of `kind`: it returns the
    ids of those items that no longer need doing. One check per kind."""

    def register(fn: DoneCheck) -> DoneCheck:
        if kind in _CHECKS and _CHECKS[kind] is not fn:
            raise ValueError(f"A done check for {kind!r} is already registered.")
        _CHECKS[kind] = fn
        return fn

    return register


def done_meanwhile(items: Iterable, recipient) -> set[int]:
    """The ids of `items` that no longer need doing, asking each kind's registered check
    about that kind's items. Items of a kind with no check stay due."""
    by_kind = defaultdict(list)
    for item in items:
        by_kind[item.kind].append(item)
    done: set[int] = set()
    for kind, of_kind in by_kind.items():
        check = _CHECKS.get(kind)
        if check is not None:
            done |= check(of_kind, recipient)
    return done


def _signature_subject(item) -> tuple[int, int | None] | None:
    """(form id, pupil id or None) for a reminder to sign; None for anything else
    (a class teacher's line, a review, a digest), which stays due."""
    parts = item.subject_key.split(":")
    if item.kind != ReminderItem.Kind.SIGNATURE or parts[0] != "form" or not parts[1].isdigit():
        return None
    if len(parts) == 2:
        return int(parts[1]), None
    if len(parts) == 4 and parts[2] == "pupil" and parts[3].isdigit():
        return int(parts[1]), int(parts[3])
    return None


@done_check(ReminderItem.Kind.SIGNATURE)
def signed_meanwhile(items, recipient) -> set[int]:
    """The form was signed (by this person, or for the child by another carer when one
    signature is enough), or it was replaced by a newer version. Two queries however
    many items."""
    subjects = {item.pk: s for item in items if (s := _signature_subject(item)) is not None}
    if not subjects:
        return set()
    forms = {
        form.pk: form
        for form in AgreementForm.objects.filter(pk__in={f for f, _ in subjects.values()}).select_related(
            "version__policy__school"
        )
    }
    pupil_ids = {p for _, p in subjects.values() if p is not None}
    this_year = AcademicYear.current().start_year
    signed = set()
    for form_id, pupil_id, signer_id, year in (
        Signature.objects.filter(form_id__in=forms, kind=Kind.SIGNATURE)
        .filter(Q(signer=recipient) | Q(pupil_id__in=pupil_ids))
        .exclude(superseded_by__kind=Kind.WITHDRAWAL)
        .values_list("form_id", "pupil_id", "signer_id", "academic_year")
    ):
        if forms[form_id].every_academic_year and year != this_year:
            continue
        signed.add((form_id, pupil_id, signer_id))
    done = set()
    for item_id, (form_id, pupil_id) in subjects.items():
        form = forms.get(form_id)
        if form is None:
            continue  # nothing to check it against: send it
        if form.version.status != VersionStatus.PUBLISHED:
            done.add(item_id)
        elif pupil_id is None:
            if any(f == form_id and p is None and s == recipient.pk for f, p, s in signed):
                done.add(item_id)
        else:
            anyone_will_do = not form.version.policy.school.every_carer_signs
            if any(f == form_id and p == pupil_id and (anyone_will_do or s == recipient.pk) for f, p, s in signed):
                done.add(item_id)
    return done
