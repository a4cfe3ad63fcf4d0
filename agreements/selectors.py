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


def forms_to_sign(user, *, memberships=None) -> list[tuple[Membership, AgreementForm]]:
    """The staff forms this person has still to sign, at every school where they are
    on the staff: a fixed handful of queries however many schools and forms. Given the
    person's active `memberships` (with their roles and schools, as the request loaded
    them: core.tenancy.request_memberships), it does not load them again."""
    today = timezone.localdate()
    if memberships is None:
        memberships = Membership.objects.active().staff().filter(user=user).select_related("school")
    else:
        memberships = [m for m in memberships if set(m.role_codes) & set(STAFF_ROLES)]
    memberships = [m for m in memberships if not m.start_date or m.start_date <= today]
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
