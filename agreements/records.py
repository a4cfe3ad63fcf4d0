"""The agreements app's parts of a person's record: a pupil's forms (their own and
their carers' for them), a member of staff's forms, and what a carer has to sign for
a child. Each reads in a fixed number of queries.

Who sees them: the signatures behind each row open (agreements:receipt) for those
who see the compliance dashboard (VIEW_COMPLIANCE), so the record asks for it too."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from aup.models import AgreementForm, Audience, VersionStatus
from core.records import Section, family_section, pupil_section, staff_section
from core.roles import Cap
from core.text import plural

from .class_sessions import teaches
from .compliance import counting_signatures
from .selectors import PUPIL_KEY_STAGES


@dataclass
class FormRow:
    form: AgreementForm
    signatures: list  # the signatures that count now, oldest first
    signed: bool
    due: bool = True  # False: not yet due (a joiner before their start or admission date)
    waiting_for: list | None = None  # carers with parental responsibility still to sign


def _published(school, audiences):
    return list(
        AgreementForm.objects.filter(
            version__policy__school=school, version__status=VersionStatus.PUBLISHED, audience__in=audiences
        )
        .select_related("version__policy")
        .order_by("version__policy__title", "audience", "pk")
    )


def _pupil_forms(pupil, school):
    """The published forms that concern this pupil: the pupils' form of their key
    stage, and the parents' forms signed for them."""
    audiences = [a for a, stages in PUPIL_KEY_STAGES.items() if pupil.year_group.key_stage in stages]
    return _published(school, [*audiences, Audience.PARENTS])


@pupil_section(order=20)
def pupil_agreements(request, pupil):
    """Everything for those who see the compliance dashboard; for the pupil's class
    teacher, the pupil's own forms only, as their class's agreements page shows them
    (agreements:class_agreements), without the carers' signatures."""
    school = request.school
    whole = request.access.can(Cap.VIEW_COMPLIANCE)
    if not whole and not (pupil.school_class_id and teaches(request.access, pupil.school_class)):
        return None
    forms = _pupil_forms(pupil, school)
    if not whole:
        forms = [f for f in forms if f.audience != Audience.PARENTS]
    signatures = (
        counting_signatures(forms).filter(form__in=forms, pupil=pupil).select_related("led_by").order_by("signed_at")
        if forms
        else []
    )
    by_form: dict[int, list] = {}
    for signature in signatures:
        by_form.setdefault(signature.form_id, []).append(signature)
    carers_with_pr = [g for g in pupil.guardianships.all() if g.parental_responsibility]
    today = timezone.localdate()
    rows = []
    for form in forms:
        found = by_form.get(form.pk, [])
        for signature in found:
            signature.pupil, signature.form = pupil, form  # for Signature.how, without a query
        waiting = None
        if form.audience == Audience.PARENTS and school.every_carer_signs:
            signers = {s.signer_id for s in found}
            waiting = [g.carer for g in carers_with_pr if g.carer_id not in signers]
            signed = bool(found) and not waiting
        else:
            signed = bool(found)
        due = pupil.admission_date is None or pupil.admission_date <= today
        rows.append(FormRow(form, found, signed, due, waiting))
    outstanding = sum(1 for r in rows if not r.signed and r.due)
    signed_count = sum(1 for r in rows if r.signed)
    return Section(
        key="agreements",
        title="Agreements",
        template="records/pupil_agreements.html",
        context={"rows": rows, "whole": whole},
        summary=f"{signed_count} signed, {outstanding} outstanding" if rows else "No published forms for pupils",
        link=("Agreements dashboard", reverse("agreements:compliance", args=[school.slug]))
        if whole
        else ("Class agreements", reverse("agreements:class_agreements", args=[school.slug, pupil.school_class_id])),
        attention=bool(outstanding),
    )


@staff_section(order=20)
def staff_agreements(request, membership):
    """The staff forms of the school this person must sign, and their signatures."""
    if not request.access.can(Cap.VIEW_COMPLIANCE) or membership.is_parent_only:
        return None
    school = request.school
    forms = [
        f for f in _published(school, [Audience.STAFF]) if not f.staff_types or membership.staff_type in f.staff_types
    ]
    signatures = (
        counting_signatures(forms).filter(form__in=forms, signer=membership.user).order_by("signed_at") if forms else []
    )
    by_form: dict[int, list] = {}
    for signature in signatures:
        by_form.setdefault(signature.form_id, []).append(signature)
    started = membership.start_date is None or membership.start_date <= timezone.localdate()
    rows = [FormRow(f, by_form.get(f.pk, []), bool(by_form.get(f.pk)), started) for f in forms]
    outstanding = sum(1 for r in rows if not r.signed and r.due)
    return Section(
        key="agreements",
        title="Agreements",
        template="records/staff_agreements.html",
        context={"rows": rows},
        summary=f"{sum(1 for r in rows if r.signed)} signed, {outstanding} outstanding"
        if rows
        else "No published staff forms",
        link=("Every signature", reverse("agreements:person", args=[school.slug, membership.pk])),
        attention=bool(outstanding),
    )


@family_section(order=20)
def family_agreements(viewer, guardianship):
    """What the carer has to sign for the child, and what they have signed."""
    if not viewer.can(Cap.VIEW_COMPLIANCE):
        return None
    from .family import family_overview

    row = next((r for r in family_overview(guardianship.carer) if r.pupil.pk == guardianship.pupil_id), None)
    to_sign = row.to_sign if row else []
    signed = row.signed if row else []
    return Section(
        key="agreements",
        title="Forms to sign",
        template="records/family_agreements.html",
        context={"to_sign": to_sign, "signed": signed, "joined": row is not None},
        summary=(f"{plural(len(to_sign), 'form')} to sign" if to_sign else "Nothing to sign")
        + f", {len(signed)} signed",
        attention=bool(to_sign),
    )
