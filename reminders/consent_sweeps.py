"""Photo consent reminders (issue 6): carers asked to answer the school's consent form.

Registered in reminders.sweeps' SWEEPS (imported at the end of sweeps.py). For the
school's published consent form, each current pupil admitted by today with no answer
(OUTSTANDING) or answers to an earlier version only (TO_CONFIRM): every active carer
with parental responsibility is reminded at the school's cadence, counted from the
later of the form's publication and the pupil's admission.

These reminders are optional (mandatory=False): no answer counts as no for every use of
a photo, so a parent who chooses not to answer is safe, and may choose to hear weekly
or never. A fixed number of queries for the whole school: the pupils (shared with the
other sweeps), the form (two), the latest records (two) and one of the carers.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from consent.models import ConsentForm, ConsentRecord, FormStatus
from consent.selectors import Status, current_form, effective, latest_records
from schools.models import Guardianship

from .models import ReminderItem
from .still_due import done_check
from .sweeps import SchoolScan, _item, sweep


@dataclass
class ConsentScan:
    """The school's published consent form and each current pupil's status on it."""

    form: ConsentForm | None
    published_on: datetime.date | None = None
    status: dict[int, str] = field(default_factory=dict)  # pupil id -> Status
    carers: dict[int, list[int]] = field(default_factory=dict)  # pupil id -> active carers with PR

    @property
    def outstanding(self) -> int:
        return sum(1 for status in self.status.values() if status == Status.OUTSTANDING)


def read_consent(scan: SchoolScan) -> ConsentScan:
    """Read once per scan (SchoolScan.consent): a fixed number of queries."""
    form = current_form(scan.school)
    if form is None or not scan.pupils:
        return ConsentScan(form)
    records = latest_records(scan.pupils)
    status = {
        pupil_id: effective(form, pupil, records.get(pupil_id, [])).status for pupil_id, pupil in scan.pupils.items()
    }
    carers = defaultdict(list)
    for pupil_id, carer_id in (
        Guardianship.objects.filter(pupil__school=scan.school, parental_responsibility=True, carer__is_active=True)
        .order_by("pk")
        .values_list("pupil_id", "carer_id")
    ):
        if pupil_id in scan.pupils:
            carers[pupil_id].append(carer_id)
    published_on = timezone.localdate(form.published_at or form.created_at)
    return ConsentScan(form, published_on, status, dict(carers))


@sweep("photo_consent")
def photo_consent(scan: SchoolScan):
    consent = scan.consent
    if consent.form is None:
        return
    form = consent.form
    for pupil_id, status in consent.status.items():
        if status not in (Status.OUTSTANDING, Status.TO_CONFIRM) or not consent.carers.get(pupil_id):
            continue
        pupil = scan.pupils[pupil_id]
        since = max(consent.published_on, pupil.admission_date or consent.published_on)
        step = scan.step_date(since)
        if step is None:
            continue
        if status == Status.OUTSTANDING:
            text = (
                f"Please answer the photo consent form for {pupil.first_name}: "
                "say yes or no to each use of their photo."
            )
        else:
            text = f"The school has updated its photo consent form: please confirm your answers for {pupil.first_name}."
        url = reverse("family_consent:answer", kwargs={"pupil_id": pupil_id})
        for carer_id in consent.carers[pupil_id]:
            yield _item(
                scan,
                carer_id,
                ReminderItem.Kind.CONSENT,
                f"consent:{form.pk}:pupil:{pupil_id}",
                step,
                text,
                url,
                mandatory=False,
            )


def _consent_subject(item) -> tuple[int, int] | None:
    """(form id, pupil id) of a consent reminder, from "consent:<form>:pupil:<pupil>"."""
    parts = item.subject_key.split(":")
    if len(parts) == 4 and parts[0] == "consent" and parts[2] == "pupil" and parts[1].isdigit() and parts[3].isdigit():
        return int(parts[1]), int(parts[3])
    return None


@done_check(ReminderItem.Kind.CONSENT)
def answered_meanwhile(items, recipient) -> set[int]:
    """Done when the pupil now has a record on that form from a carer who holds parental
    responsibility (this one or another), or the form is no longer the published one.
    Two queries however many items."""
    subjects = {item.pk: s for item in items if (s := _consent_subject(item)) is not None}
    if not subjects:
        return set()
    form_ids = {f for f, _ in subjects.values()}
    published = set(
        ConsentForm.objects.filter(pk__in=form_ids, status=FormStatus.PUBLISHED).values_list("pk", flat=True)
    )
    with_pr = Guardianship.objects.filter(
        pupil_id=OuterRef("pupil_id"), carer_id=OuterRef("carer_id"), parental_responsibility=True
    )
    answered = set(
        ConsentRecord.objects.filter(form_id__in=published, pupil_id__in={p for _, p in subjects.values()})
        .filter(Exists(with_pr))
        .values_list("form_id", "pupil_id")
    )
    return {
        item_id
        for item_id, (form_id, pupil_id) in subjects.items()
        if form_id not in published or (form_id, pupil_id) in answered
    }
