"""Reads about signatures: what a person must sign, who has not signed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from aup.models import AgreementForm, Audience, VersionStatus
from core.academic_year import AcademicYear
from core.roles import STAFF_ROLES
from schools.models import KeyStage, Membership, Pupil

from .models import Kind, Signature


def current_form_for(policy, audience) -> AgreementForm | None:
    return (
        AgreementForm.objects.filter(version__policy=policy, version__status=VersionStatus.PUBLISHED, audience=audience)
        .select_related("version__policy")
        .first()
    )


def published_forms(school, audience=None):
    forms = AgreementForm.objects.filter(
        version__policy__school=school, version__status=VersionStatus.PUBLISHED
    ).select_related("version__policy")
    if audience:
        forms = forms.filter(audience=audience)
    return forms.order_by("version__policy__title", "audience")


def _signatures_counting(form: AgreementForm):
    """Signatures that count for this form now: of this version's form, and for a
    form signed every year, of this academic year."""
    signatures = Signature.objects.filter(form=form, kind=Kind.SIGNATURE).exclude(superseded_by__kind=Kind.WITHDRAWAL)
    if form.every_academic_year:
        signatures = signatures.filter(academic_year=AcademicYear.current().start_year)
    return signatures


def staff_who_must_sign(form: AgreementForm):
    """Current staff of the form's types who have started (joiners are outstanding
    from their start date)."""
    today = timezone.localdate()
    memberships = (
        Membership.objects.active()
        .filter(school=form.version.policy.school, roles__role__in=STAFF_ROLES)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
        .distinct()
    )
    if form.staff_types:
        memberships = memberships.filter(staff_type__in=form.staff_types)
    return memberships


@dataclass(frozen=True)
class StaffStatus:
    form: AgreementForm
    signed: list  # memberships
    outstanding: list


def staff_status(form: AgreementForm) -> StaffStatus:
    signer_ids = set(_signatures_counting(form).values_list("signer_id", flat=True))
    signed, outstanding = [], []
    for membership in staff_who_must_sign(form).select_related("user").order_by("user__last_name", "user__first_name"):
        (signed if membership.user_id in signer_ids else outstanding).append(membership)
    return StaffStatus(form, signed, outstanding)


def forms_to_sign(user) -> list[tuple[Membership, AgreementForm]]:
    """The staff forms this person has still to sign, at every school where they are
    on the staff: a fixed handful of queries however many schools and forms."""
    today = timezone.localdate()
    memberships = [
        m
        for m in Membership.objects.active().staff().filter(user=user).select_related("school")
        if not m.start_date or m.start_date <= today
    ]
    forms = list(
        AgreementForm.objects.filter(
            version__policy__school__in=[m.school_id for m in memberships],
            version__status=VersionStatus.PUBLISHED,
            audience=Audience.STAFF,
        ).select_related("version__policy")
    )
    this_year = AcademicYear.current().start_year
    signed = set(
        Signature.objects.filter(signer=user, form__in=forms, kind=Kind.SIGNATURE)
        .exclude(superseded_by__kind=Kind.WITHDRAWAL)
        .values_list("form_id", "academic_year")
    )
    due = []
    for membership in memberships:
        for form in forms:
            if form.version.policy.school_id != membership.school_id:
                continue
            if form.staff_types and membership.staff_type not in form.staff_types:
                continue
            done = (form.pk, this_year) in signed if form.every_academic_year else any(f == form.pk for f, _ in signed)
            if not done:
                due.append((membership, form))
    return due


def signatures_of(user, school=None):
    signatures = Signature.objects.filter(signer=user).select_related("form__version__policy", "pupil", "document")
    if school is not None:
        signatures = signatures.filter(school=school)
    return signatures


def previous_signed_text(user, form: AgreementForm) -> str | None:
    """The exact text the person last signed of an earlier version of this form's
    policy (same audience), so the sign page can show what changed; None if they
    never signed an earlier one."""
    signature = (
        Signature.objects.filter(
            signer=user,
            kind=Kind.SIGNATURE,
            form__version__policy_id=form.version.policy_id,
            form__audience=form.audience,
            form__version__number__lt=form.version.number,
        )
        .select_related("text")
        .order_by("-signed_at", "-id")
        .first()
    )
    return signature.text.text if signature else None


def _staff_memberships(school):
    """Every active member of staff of the school who has started, with their user:
    one query, filtered per form in Python."""
    today = timezone.localdate()
    return list(
        Membership.objects.active()
        .filter(school=school, roles__role__in=STAFF_ROLES)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
        .distinct()
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def _latest_signatures(forms) -> dict[tuple[int, int], Signature]:
    """(form id, signer id) -> the latest signature that counts now, for all `forms`
    in one query."""
    this_year = AcademicYear.current().start_year
    every_year = {f.pk for f in forms if f.every_academic_year}
    latest = {}
    signatures = (
        Signature.objects.filter(form__in=forms, kind=Kind.SIGNATURE, signer__isnull=False)
        .exclude(superseded_by__kind=Kind.WITHDRAWAL)
        .only("pk", "form_id", "signer_id", "signed_at", "academic_year", "verification_code")
        .order_by("signed_at", "pk")
    )
    for signature in signatures:
        if signature.form_id in every_year and signature.academic_year != this_year:
            continue
        latest[(signature.form_id, signature.signer_id)] = signature
    return latest


def _must_sign(form: AgreementForm, membership) -> bool:
    return not form.staff_types or membership.staff_type in form.staff_types


@dataclass
class GroupCount:
    label: str
    signed: int = 0
    outstanding: int = 0

    @property
    def total(self) -> int:
        return self.signed + self.outstanding

    @property
    def percent(self) -> int:
        return round(100 * self.signed / self.total) if self.total else 0

    @property
    def bar_step(self) -> int:
        """The percentage signed rounded to a multiple of 5, for the CSS bar."""
        return 5 * round(self.percent / 5)


@dataclass
class FormCompliance:
    form: AgreementForm
    overall: GroupCount
    groups: list  # GroupCount per staff type


def staff_compliance(school) -> list[FormCompliance]:
    """For each published staff form of the school: signed and outstanding, overall
    and by staff type. A fixed number of queries however many staff and forms."""
    from schools.models import StaffType

    forms = list(published_forms(school, Audience.STAFF))
    memberships = _staff_memberships(school)
    latest = _latest_signatures(forms)
    labels = dict(StaffType.choices)
    results = []
    for form in forms:
        overall = GroupCount("All staff")
        groups: dict[str, GroupCount] = {}
        for membership in memberships:
            if not _must_sign(form, membership):
                continue
            key = membership.staff_type or ""
            group = groups.setdefault(key, GroupCount(labels.get(key, "Type not recorded")))
            if (form.pk, membership.user_id) in latest:
                overall.signed += 1
                group.signed += 1
            else:
                overall.outstanding += 1
                group.outstanding += 1
        order = list(labels)
        ordered = sorted(groups.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
        results.append(FormCompliance(form, overall, [group for _, group in ordered]))
    return results


@dataclass(frozen=True)
class PersonStatus:
    membership: Membership
    signature: Signature | None

    @property
    def signed(self) -> bool:
        return self.signature is not None


def staff_rows(form: AgreementForm) -> list[PersonStatus]:
    """Everyone who must sign `form`, each with the signature that counts (or None),
    in name order: a fixed number of queries."""
    latest = _latest_signatures([form])
    return [
        PersonStatus(membership, latest.get((form.pk, membership.user_id)))
        for membership in _staff_memberships(form.version.policy.school_id)
        if _must_sign(form, membership)
    ]


def latest_signature_of(user, form: AgreementForm) -> Signature | None:
    """The person's latest signature of exactly this form that still counts, if any."""
    return _signatures_counting(form).filter(signer=user).order_by("-signed_at", "-id").first()


# --- Pupils ---------------------------------------------------------------------------

# Which pupils each pupils' audience covers. "KS2" is the form pupils sign themselves:
# key stage 2 in a primary school, and every older pupil in a secondary one.
PUPIL_KEY_STAGES = {
    Audience.KS2: [KeyStage.KS2, KeyStage.KS3, KeyStage.KS4, KeyStage.KS5],
    Audience.EYFS_KS1: [KeyStage.EYFS, KeyStage.KS1],
}


def pupils_who_must_sign(form: AgreementForm, school=None):
    """The pupils a pupils' or parents' form is needed for: current pupils admitted
    by today, of the audience's key stages (every pupil for the parents' form).
    `school` saves a query when the caller already has it."""
    today = timezone.localdate()
    school_id = school.pk if school is not None else form.version.policy.school_id
    pupils = (
        Pupil.objects.current()
        .filter(school_id=school_id)
        .filter(Q(admission_date__isnull=True) | Q(admission_date__lte=today))
    )
    if form.audience in PUPIL_KEY_STAGES:
        pupils = pupils.filter(year_group__key_stage__in=PUPIL_KEY_STAGES[form.audience])
    elif form.audience != Audience.PARENTS:
        return Pupil.objects.none()
    return pupils


def pupil_signatures(forms, pupil_ids=None) -> dict[tuple[int, int], list]:
    """(form id, pupil id) -> the signer ids (None for a pupil's own signature) of every
    signature that counts now for these forms: one query. For a form signed every
    academic year, only this year's count."""
    this_year = AcademicYear.current().start_year
    every_year = {f.pk for f in forms if f.every_academic_year}
    signatures = (
        Signature.objects.filter(form__in=forms, kind=Kind.SIGNATURE, pupil__isnull=False)
        .exclude(superseded_by__kind=Kind.WITHDRAWAL)
        .values_list("form_id", "pupil_id", "signer_id", "academic_year")
    )
    if pupil_ids is not None:
        signatures = signatures.filter(pupil_id__in=pupil_ids)
    found: dict[tuple[int, int], list] = {}
    for form_id, pupil_id, signer_id, year in signatures:
        if form_id in every_year and year != this_year:
            continue
        found.setdefault((form_id, pupil_id), []).append(signer_id)
    return found
