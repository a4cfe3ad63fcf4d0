"""What is due, found in the database by periodic sweeps (Celery beat), school by school.

Each sweep is a function registered with `@sweep("name")`: it gets a `SchoolScan` (one
school, today, its settings, and what the other apps' data says is outstanding, read in
bulk and shared by every sweep) and returns the reminders due today, as dicts for
`services.queue_items`. A reminder's due date is the step of the schedule it belongs to
(e.g. the 7th day after a form was published), so each step is sent once however often
the sweep runs, and a sweep that missed a day catches up with one reminder, not many.

To add the reminders of a new area (device loans due back, consent responses,
incident deadlines), read that app's selectors in a new `@sweep` function here, with a
fixed number of queries for the whole school, and add its kind to ReminderItem.Kind.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from agreements.models import Kind as SignatureKind
from agreements.models import Signature
from agreements.selectors import PUPIL_KEY_STAGES, pupil_signatures
from aup.models import AgreementForm, Audience, PolicyVersion, VersionStatus
from core.academic_year import AcademicYear
from core.roles import STAFF_ROLES, Role
from schools.models import Guardianship, Membership, Pupil, SchoolClass

from .models import ReminderItem
from .schedule import latest_step, settings_for

SWEEPS: dict[str, Callable[[SchoolScan], Iterable[dict]]] = {}

# Policy reviews: 8 weeks, 4 weeks and 1 week before the date, then weekly once overdue.
REVIEW_WARNINGS_DAYS = (56, 28, 7)
# The new academic year: the head hears from this day of August.
NEW_YEAR_NOTICE = (8, 20)


def sweep(name: str):
    """Register a sweep: `fn(scan) -> iterable of item dicts` (see queue_items)."""

    def register(fn):
        SWEEPS[name] = fn
        return fn

    return register


@dataclass(frozen=True, slots=True)
class PupilRow:
    pk: int
    first_name: str
    admission_date: datetime.date | None
    school_class_id: int | None
    class_name: str | None
    key_stage: str


@dataclass(frozen=True, slots=True)
class SchoolClassRow:
    pk: int
    name: str


@dataclass(frozen=True, slots=True)
class Outstanding:
    """One signature still needed, and who is asked for it."""

    form: AgreementForm
    recipient_id: int
    since: datetime.date  # when it became due
    pupil: PupilRow | None = None  # a parents' form: the child
    school_class: SchoolClassRow | None = None  # a pupils' form: the class (its teacher is asked)
    pupils: int = 0  # a pupils' form: how many in the class


class SchoolScan:
    """One school on one day, read in bulk once and shared by every sweep."""

    def __init__(self, school, today: datetime.date | None = None):
        self.school = school
        self.today = today or timezone.localdate()
        self.year = AcademicYear.containing(self.today)

    @cached_property
    def rules(self):
        return settings_for(self.school)

    @cached_property
    def forms(self) -> list[AgreementForm]:
        return list(
            AgreementForm.objects.filter(version__policy__school=self.school, version__status=VersionStatus.PUBLISHED)
            .select_related("version__policy")
            .order_by("version__policy__title", "audience")
        )

    def _forms_for(self, *audiences) -> list[AgreementForm]:
        return [form for form in self.forms if form.audience in audiences]

    def _published_on(self, form) -> datetime.date:
        published = form.version.published_at or form.version.created_at
        start = timezone.localdate(published)
        if form.every_academic_year:
            start = max(start, self.year.starts_on)
        return start

    @cached_property
    def leaders(self) -> dict[str, list[int]]:
        """Role -> ids of the active people holding it (heads and DSLs)."""
        found = defaultdict(list)
        for user_id, role in (
            Membership.objects.active()
            .filter(school=self.school, user__is_active=True, roles__role__in=[Role.HEADTEACHER, Role.DSL])
            .values_list("user_id", "roles__role")
            .order_by("pk")
        ):
            found[role].append(user_id)
        return found

    @property
    def heads(self) -> list[int]:
        return self.leaders.get(Role.HEADTEACHER, [])

    @cached_property
    def staff_outstanding(self) -> list[Outstanding]:
        """Every member of staff (joiners from their start date, never leavers) and each
        staff form they have still to sign: three queries."""
        forms = self._forms_for(Audience.STAFF)
        if not forms:
            return []
        today = self.today
        members = (
            Membership.objects.active()
            .filter(school=self.school, user__is_active=True, roles__role__in=STAFF_ROLES)
            .filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
            .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gt=today))
            .values_list("user_id", "staff_type", "start_date", "created_at")
            .distinct()
        )
        signed = set()
        every_year = {form.pk for form in forms if form.every_academic_year}
        for form_id, signer_id, year in (
            Signature.objects.filter(form__in=forms, kind=SignatureKind.SIGNATURE, signer__isnull=False)
            .exclude(superseded_by__kind=SignatureKind.WITHDRAWAL)
            .values_list("form_id", "signer_id", "academic_year")
        ):
            if form_id not in every_year or year == self.year.start_year:
                signed.add((form_id, signer_id))
        starts = {form.pk: self._published_on(form) for form in forms}
        found = []
        for user_id, staff_type, start_date, created_at in members:
            joined = start_date or timezone.localdate(created_at)
            for form in forms:
                if form.staff_types and staff_type not in form.staff_types:
                    continue
                if (form.pk, user_id) not in signed:
                    found.append(Outstanding(form, user_id, max(starts[form.pk], joined)))
        return found

    @cached_property
    def pupils(self) -> dict[int, PupilRow]:
        """Current pupils admitted by today, with their key stage and class: one query,
        plain rows (tens of thousands in a large school)."""
        return {
            row[0]: PupilRow(*row)
            for row in Pupil.objects.current(self.today)
            .filter(school=self.school)
            .filter(Q(admission_date__isnull=True) | Q(admission_date__lte=self.today))
            .values_list(
                "pk", "first_name", "admission_date", "school_class_id", "school_class__name", "year_group__key_stage"
            )
        }

    @cached_property
    def parent_outstanding(self) -> list[Outstanding]:
        """Each carer with parental responsibility and each child's parents' form still
        to sign: while no carer has signed, or, if the school asks every carer to sign,
        while this one has not. Three queries."""
        forms = self._forms_for(Audience.PARENTS)
        if not forms or not self.pupils:
            return []
        carers = defaultdict(list)
        for pupil_id, carer_id in Guardianship.objects.filter(
            pupil__school=self.school, parental_responsibility=True, carer__is_active=True
        ).values_list("pupil_id", "carer_id"):
            if pupil_id in self.pupils:
                carers[pupil_id].append(carer_id)
        signed = pupil_signatures(forms)
        every_carer = self.school.every_carer_signs
        found = []
        for form in forms:
            published = self._published_on(form)
            for pupil_id, carer_ids in carers.items():
                signers = signed.get((form.pk, pupil_id), [])
                if signers and not every_carer:
                    continue
                pupil = self.pupils[pupil_id]
                since = max(published, pupil.admission_date or published)
                found += [
                    Outstanding(form, carer_id, since, pupil=pupil) for carer_id in carer_ids if carer_id not in signers
                ]
        return found

    @cached_property
    def pupil_outstanding_by_class(self) -> dict[tuple[int, int], list[PupilRow]]:
        """(form id, class id) -> the pupils of the class still needing the pupils' form."""
        forms = self._forms_for(*PUPIL_KEY_STAGES)
        if not forms or not self.pupils:
            return {}
        signed = pupil_signatures(forms)
        found = defaultdict(list)
        for form in forms:
            stages = PUPIL_KEY_STAGES[form.audience]
            for pupil in self.pupils.values():
                if pupil.key_stage in stages and (form.pk, pupil.pk) not in signed:
                    found[(form.pk, pupil.school_class_id)].append(pupil)
        return found

    @cached_property
    def class_outstanding(self) -> list[Outstanding]:
        """Each class teacher, once per class and pupils' form: a line, not a name per pupil
        (pupils have no login, so the teacher takes the class through it)."""
        by_class = self.pupil_outstanding_by_class
        if not by_class:
            return []
        teachers = defaultdict(list)
        for class_id, user_id in SchoolClass.teachers.through.objects.filter(
            schoolclass__school=self.school,
            membership__status=Membership.Status.ACTIVE,
            membership__user__is_active=True,
        ).values_list("schoolclass_id", "membership__user_id"):
            teachers[class_id].append(user_id)
        forms = {form.pk: form for form in self.forms}
        found = []
        for (form_id, class_id), pupils in by_class.items():
            if class_id is None:
                continue
            form = forms[form_id]
            school_class = SchoolClassRow(class_id, pupils[0].class_name)
            since = self._published_on(form)
            found += [
                Outstanding(form, user_id, since, school_class=school_class, pupils=len(pupils))
                for user_id in teachers.get(class_id, [])
            ]
        return found

    @cached_property
    def reviews(self) -> list[PolicyVersion]:
        """Published versions of the school's own policies with a review date (a trust's
        policy is reviewed at trust level)."""
        return list(
            PolicyVersion.objects.filter(
                policy__school=self.school,
                policy__adopted_from__isnull=True,
                status=VersionStatus.PUBLISHED,
                next_review_on__isnull=False,
            )
            .select_related("policy", "responsible")
            .order_by("next_review_on", "pk")
        )

    @cached_property
    def consent(self):
        """The published photo consent form and each pupil's status on it (see
        consent_sweeps.read_consent): shared by the consent sweep and the digest."""
        from .consent_sweeps import read_consent

        return read_consent(self)

    def step_date(self, since: datetime.date) -> datetime.date | None:
        """The date of the school's cadence step that has come for something due since
        `since` (the latest one), or None."""
        step = latest_step((self.today - since).days, self.rules.cadence_days, self.rules.then_every_days)
        return None if step is None else since + datetime.timedelta(days=step)


def _item(scan, recipient_id, kind, subject_key, due_on, text, action_url, mandatory=True, urgent=False) -> dict:
    item = {
        "school": scan.school,
        "recipient_id": recipient_id,
        "kind": kind,
        "subject_key": subject_key,
        "due_on": due_on,
        "text": text,
        "action_url": action_url,
        "mandatory": mandatory or urgent,
    }
    if urgent:
        item["urgent"] = True  # sent at once, in an email of its own (see queue_items)
    return item


def _form_name(form) -> str:
    return form.full_title  # the policy first, as everywhere people see a form's name


# --- The sweeps ------------------------------------------------------------------------


@sweep("outstanding_signatures")
def outstanding_signatures(scan: SchoolScan) -> Iterable[dict]:
    slug = scan.school.slug
    urls: dict[tuple[str, int], str] = {}

    def url(name, form_id, **kwargs):
        if (name, form_id) not in urls:
            urls[(name, form_id)] = reverse(name, kwargs={"form_id": form_id, **kwargs})
        return urls[(name, form_id)]

    for due in scan.staff_outstanding:
        step = scan.step_date(due.since)
        if step:
            yield _item(
                scan,
                due.recipient_id,
                ReminderItem.Kind.SIGNATURE,
                f"form:{due.form.pk}",
                step,
                f"Please read and sign: {_form_name(due.form)}.",
                url("agreements:sign", due.form.pk, school_slug=slug),
            )
    for due in scan.parent_outstanding:
        step = scan.step_date(due.since)
        if step:
            yield _item(
                scan,
                due.recipient_id,
                ReminderItem.Kind.SIGNATURE,
                f"form:{due.form.pk}:pupil:{due.pupil.pk}",
                step,
                f"Please read and sign for {due.pupil.first_name}: {_form_name(due.form)}.",
                url("family_sign:sign", due.form.pk),
            )
    for due in scan.class_outstanding:
        step = scan.step_date(due.since)
        if step:
            how = (
                "read it to them and record who was there."
                if due.form.audience == Audience.EYFS_KS1
                else "run a class session."
            )
            count = due.pupils
            yield _item(
                scan,
                due.recipient_id,
                ReminderItem.Kind.SIGNATURE,
                f"form:{due.form.pk}:class:{due.school_class.pk}",
                step,
                f"{count} pupil{'s' if count != 1 else ''} in {due.school_class.name} still need "
                f"{_form_name(due.form)}: {how}",
                reverse("agreements:class_agreements", kwargs={"school_slug": slug, "class_id": due.school_class.pk}),
            )


def review_step(next_review_on: datetime.date, today: datetime.date) -> datetime.date | None:
    """The review reminder that has come by `today`: 8, 4 and 1 weeks before the date,
    on the date, then every week while it is overdue."""
    steps = [next_review_on - datetime.timedelta(days=d) for d in REVIEW_WARNINGS_DAYS]
    if today >= next_review_on:
        weeks = (today - next_review_on).days // 7
        return next_review_on + datetime.timedelta(days=7 * weeks)
    come = [step for step in steps if step <= today]
    return max(come) if come else None


def review_text(version, today: datetime.date) -> str:
    """The line of a review reminder (a school's policy or a trust's)."""
    when = f"{version.next_review_on:%d/%m/%Y}"
    if version.next_review_on < today:
        return f"Overdue for review since {when}: {version.policy.title} (version {version.number})."
    return f"Due for review on {when}: {version.policy.title} (version {version.number})."


@sweep("policy_reviews")
def policy_reviews(scan: SchoolScan) -> Iterable[dict]:
    for version in scan.reviews:
        step = review_step(version.next_review_on, scan.today)
        if step is None:
            continue
        text = review_text(version, scan.today)
        url = reverse("aup:version", kwargs={"school_slug": scan.school.slug, "version_id": version.pk})
        recipients = list(scan.heads)
        if version.responsible_id and version.responsible.is_active and version.responsible_id not in recipients:
            recipients.insert(0, version.responsible_id)
        for recipient_id in recipients:
            yield _item(
                scan,
                recipient_id,
                ReminderItem.Kind.POLICY_REVIEW,
                f"review:{version.pk}",
                step,
                text,
                url,
                mandatory=False,
            )


@sweep("new_academic_year")
def new_academic_year(scan: SchoolScan) -> Iterable[dict]:
    """In late August, the head hears which forms pupils (and parents) sign again from
    1 September: once a year."""
    notice = datetime.date(scan.today.year, *NEW_YEAR_NOTICE)
    if not notice <= scan.today < datetime.date(scan.today.year, 9, 1):
        return
    forms = [
        form
        for form in scan.forms
        if form.every_academic_year and form.audience in (Audience.KS2, Audience.EYFS_KS1, Audience.PARENTS)
    ]
    if not forms:
        return
    names = "; ".join(_form_name(form) for form in forms)
    text = f"From 1 September {scan.today.year} these need pupils' signatures again: {names}."
    if len(text) > 300:
        text = f"From 1 September {scan.today.year}, {len(forms)} forms need pupils' signatures again: {names}"
        text = text[:297] + "..."
    url = reverse("agreements:compliance", kwargs={"school_slug": scan.school.slug})
    for head in scan.heads:
        yield _item(
            scan,
            head,
            ReminderItem.Kind.NEW_YEAR,
            f"new_year:{scan.school.pk}:{scan.today.year}",
            notice,
            text,
            url,
            mandatory=False,
        )


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@sweep("weekly_digest")
def weekly_digest(scan: SchoolScan) -> Iterable[dict]:
    """Monday: the head and the DSL get one line of what is outstanding and overdue,
    instead of a reminder per person."""
    if scan.today.weekday() != 0:
        return
    staff = len(scan.staff_outstanding)
    parents = len({(due.form.pk, due.pupil.pk) for due in scan.parent_outstanding})
    pupils = sum(len(p) for p in scan.pupil_outstanding_by_class.values())
    overdue = sum(1 for v in scan.reviews if v.next_review_on < scan.today)
    soon = sum(1 for v in scan.reviews if scan.today <= v.next_review_on <= scan.today + datetime.timedelta(days=28))
    parts = []
    if staff:
        parts.append(_plural(staff, "staff signature", "staff signatures"))
    if parents:
        parts.append(_plural(parents, "parents' signature", "parents' signatures"))
    if pupils:
        parts.append(_plural(pupils, "pupil's agreement", "pupils' agreements"))
    sentences = []
    if parts:
        sentences.append("Still to sign: " + ", ".join(parts) + ".")
    if overdue:
        sentences.append(_plural(overdue, "policy is", "policies are") + " overdue for review.")
    if soon:
        sentences.append(_plural(soon, "policy is", "policies are") + " due for review in the next 4 weeks.")
    no_consent = scan.consent.outstanding
    if no_consent:
        sentences.append(_plural(no_consent, "pupil has", "pupils have") + " no photo consent answers.")
    if not sentences:
        return
    text = f"This week at {scan.school.name}: " + " ".join(sentences)
    url = reverse("agreements:compliance", kwargs={"school_slug": scan.school.slug})
    recipients = list(dict.fromkeys(scan.heads + scan.leaders.get(Role.DSL, [])))
    for recipient_id in recipients:
        yield _item(
            scan,
            recipient_id,
            ReminderItem.Kind.DIGEST,
            f"digest:{scan.school.pk}",
            scan.today,
            text,
            url,
            mandatory=False,
        )


def due_items(school, today: datetime.date | None = None) -> list[dict]:
    """Everything every sweep finds due at this school today."""
    scan = SchoolScan(school, today)
    return [item for fn in SWEEPS.values() for item in fn(scan)]


# The sweeps of other areas, registered through @sweep in their own modules.
from . import (  # noqa: E402, F401
    consent_sweeps,
    countersign_sweeps,
    device_sweeps,
    incident_sweeps,
    phone_sweeps,
    post_sweeps,
    privacy_sweeps,
)
