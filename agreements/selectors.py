"""Reads about signatures: what a person must sign, who has not signed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from aup.models import AgreementForm, Audience, VersionStatus
from core.academic_year import AcademicYear
from core.roles import STAFF_ROLES
from schools.models import Membership

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
