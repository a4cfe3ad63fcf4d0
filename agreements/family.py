"""Parents and carers sign the parents' forms for their own children, from /family/.

These pages live outside any school (/family/...), so every view finds the child
and the form only through the signed-in person's own guardianships and answers 404
for anything else: ids reveal nothing."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from aup.models import AgreementForm, Audience, VersionStatus
from core.forms import apply_validation_error
from schools.models import Guardianship
from schools.selectors import children_of

from . import services
from .changes import changes_since_last_signed
from .desk import still_to_sign
from .forms import SignForm
from .models import Kind, Method, Signature
from .pdf import signed_pdf_response
from .policy import document_response, policy_shown
from .selectors import current_form_for, pupil_signatures

# --- Selectors -----------------------------------------------------------------------


@dataclass
class ChildForm:
    """One parents' form for one child, as this carer sees it."""

    guardianship: Guardianship
    form: AgreementForm
    can_sign: bool  # this carer has parental responsibility
    carers_who_can_sign: list = field(default_factory=list)  # other carers with PR (names)

    @property
    def pupil(self):
        return self.guardianship.pupil


@dataclass
class ChildRow:
    guardianship: Guardianship
    to_sign: list  # ChildForm
    signed: list = field(default_factory=list)  # forms this carer has signed for the child
    # The child's own signatures a parent is asked to countersign (issue 20).
    to_countersign: list = field(default_factory=list)

    @property
    def pupil(self):
        return self.guardianship.pupil


def _published_parent_forms(school_ids):
    return list(
        AgreementForm.objects.filter(
            version__policy__school_id__in=school_ids,
            version__status=VersionStatus.PUBLISHED,
            audience=Audience.PARENTS,
        )
        .select_related("version__policy__school")
        .order_by("version__policy__title", "pk")
    )


def _counting_signatures(forms, pupil_ids) -> set[tuple[int, int, int | None]]:
    """(form id, pupil id, signer id) of every signature that counts now for these
    forms and children: one query."""
    return {(f, p, s) for (f, p), signers in pupil_signatures(forms, pupil_ids).items() for s in signers}


def _still_needed(form, guardianship, signed, carers_with_pr) -> bool:
    """Does this child still need a signature for this form, as far as this carer
    is concerned? One carer with parental responsibility is enough, unless the school
    asks every such carer to sign."""
    pupil_id = guardianship.pupil_id
    signers = {s for f, p, s in signed if f == form.pk and p == pupil_id}
    if not guardianship.pupil.school.every_carer_signs:
        return not signers
    if guardianship.parental_responsibility:
        return guardianship.carer_id not in signers
    # A carer without PR: needed while some carer with PR has still to sign.
    return any(carer_id not in signers for carer_id, _ in carers_with_pr.get(pupil_id, []))


def family_overview(user, guardianships=None) -> list[ChildRow]:
    """Each of this person's current children, with the published parents' forms of
    the child's school that still need a signature: a fixed number of queries.
    `guardianships`: `children_of(user)` when the caller has them already."""
    if guardianships is None:
        guardianships = list(children_of(user))
    if not guardianships:
        return []
    pupil_ids = [g.pupil_id for g in guardianships]
    forms = _published_parent_forms({g.pupil.school_id for g in guardianships})
    signed = _counting_signatures(forms, pupil_ids)
    carers_with_pr: dict[int, list[tuple[int, str]]] = {}
    for other in (
        Guardianship.objects.filter(pupil_id__in=pupil_ids, parental_responsibility=True)
        .select_related("carer")
        .order_by("pk")
    ):
        name = other.carer.get_full_name() or other.carer.email
        carers_with_pr.setdefault(other.pupil_id, []).append((other.carer_id, name))
    from .countersigning.selectors import awaiting_parent

    to_countersign: dict[int, list] = {}
    for signature in awaiting_parent(user):
        to_countersign.setdefault(signature.pupil_id, []).append(signature)
    rows = []
    for guardianship in guardianships:
        to_sign = [
            ChildForm(
                guardianship,
                form,
                can_sign=guardianship.parental_responsibility,
                carers_who_can_sign=[
                    name for carer_id, name in carers_with_pr.get(guardianship.pupil_id, []) if carer_id != user.pk
                ],
            )
            for form in forms
            if form.version.policy.school_id == guardianship.pupil.school_id
            and _still_needed(form, guardianship, signed, carers_with_pr)
        ]
        signed_by_me = [
            form
            for form in forms
            if form.version.policy.school_id == guardianship.pupil.school_id
            and (form.pk, guardianship.pupil_id, user.pk) in signed
        ]
        rows.append(ChildRow(guardianship, to_sign, signed_by_me, to_countersign.get(guardianship.pupil_id, [])))
    return rows


def family_overview_for(request) -> list[ChildRow]:
    """`family_overview(request.user)`, computed once a request (the /family/ page and
    the menu's counts both show it), and not at all for someone who is nobody's parent
    or carer: a member of staff's pages never pay for it."""
    if "_family_overview" not in request.__dict__:
        from schools.selectors import request_children

        children = request_children(request)
        request.__dict__["_family_overview"] = family_overview(request.user, children) if children else []
    return request.__dict__["_family_overview"]


def _form_for_parent(user, form_id, guardianships) -> AgreementForm:
    """A parents' form of a school where this person has a child (any version, so a
    stale link can say it was replaced); 404 otherwise."""
    return get_object_or_404(
        AgreementForm.objects.select_related("version__policy__school").prefetch_related("statements", "sections"),
        pk=form_id,
        audience=Audience.PARENTS,
        version__policy__school_id__in={g.pupil.school_id for g in guardianships},
        version__status__in=[VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED],
    )


# --- Views ---------------------------------------------------------------------------


class FamilySignForm(SignForm):
    children = forms.MultipleChoiceField(
        label="Sign for",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one child to sign for."},
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = [(str(p.pk), p.full_name) for p in children]
        # Put the children first, as people read them.
        self.order_fields(["children"])


def _superseded(request, agreement, current=None):
    if current is None:
        current = current_form_for(agreement.version.policy, agreement.audience)
    return render(
        request, "agreements/family_superseded.html", {"agreement": agreement, "current": current}, status=410
    )


@login_required
def sign(request, form_id):
    guardianships = list(children_of(request.user))
    agreement = _form_for_parent(request.user, form_id, guardianships)
    if agreement.version.status != VersionStatus.PUBLISHED:
        return _superseded(request, agreement)
    school_id = agreement.version.policy.school_id
    mine = {g.pupil_id: g for g in guardianships if g.pupil.school_id == school_id}
    rows = family_overview(request.user)
    needing = [
        item.guardianship for row in rows for item in row.to_sign if item.form.pk == agreement.pk and item.can_sign
    ]
    not_allowed = [item for row in rows for item in row.to_sign if item.form.pk == agreement.pk and not item.can_sign]
    children = [g.pupil for g in needing]

    if request.method == "POST":
        key = request.POST.get("submission_key", "")
        if key and Signature.objects.filter(signer=request.user, submission_key__startswith=f"{key}:").exists():
            # Submitted twice (double click, back button): the first one counted.
            return redirect("family_sign:receipt", form_id=agreement.pk)
        posted = request.POST.getlist("children")
        for value in posted:
            if not value.isdigit() or int(value) not in mine:
                raise Http404("No such child.")
        if any(not mine[int(value)].parental_responsibility for value in posted):
            return render(
                request,
                "agreements/family_cannot_sign.html",
                {"agreement": agreement, "items": not_allowed},
                status=403,
            )
    if not children:
        return render(
            request,
            "agreements/family_nothing_to_sign.html",
            {"agreement": agreement, "items": not_allowed},
            status=403 if not_allowed else 200,
        )

    initial = {"submission_key": secrets.token_urlsafe(24), "children": [str(p.pk) for p in children]}
    form = FamilySignForm(request.POST or None, form=agreement, children=children, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = [p for p in children if str(p.pk) in form.cleaned_data["children"]]
        key = form.cleaned_data["submission_key"]
        presented_at, opened_at = form.policy_times()
        try:
            with transaction.atomic():
                for pupil in chosen:
                    services.sign(
                        form=agreement,
                        signer=request.user,
                        typed_name=form.cleaned_data["typed_name"],
                        statements_agreed=form.agreed_numbers(),
                        drawn_signature=form.cleaned_data["drawn_signature"],
                        submission_key=f"{key}:{pupil.pk}",
                        request=request,
                        method=Method.FOR_CHILD,
                        pupil=pupil,
                        policy_presented_at=presented_at,
                        policy_opened_at=opened_at,
                    )
        except services.FormSuperseded as superseded:
            return _superseded(request, agreement, superseded.current)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("family_sign:receipt", form_id=agreement.pk)
    context = {
        "agreement": agreement,
        "form": form,
        "not_allowed": not_allowed,
        # Each child's school's privacy notice, linked beside the form (issue 21).
        "privacy_schools": list({p.school_id: p.school for p in children}.values()),
        "shown": policy_shown(agreement, document_url=reverse("family_sign:policy", args=[agreement.pk])),
        **changes_since_last_signed(request.user, agreement),
    }
    return render(request, "agreements/family_sign.html", context, status=400 if form.errors else 200)


@login_required
def policy_document(request, form_id):
    """The policy document of a parents' form of a school where this person has a child."""
    agreement = _form_for_parent(request.user, form_id, list(children_of(request.user)))
    return document_response(agreement.version)


@login_required
def receipt(request, form_id):
    guardianships = list(children_of(request.user))
    agreement = _form_for_parent(request.user, form_id, guardianships)
    signatures = (
        Signature.objects.filter(signer=request.user, form=agreement, method=Method.FOR_CHILD, kind=Kind.SIGNATURE)
        .select_related("pupil", "document", "school")
        .order_by("pupil__first_name", "-signed_at")
    )
    context = {"agreement": agreement, "signatures": signatures, "to_sign": still_to_sign(request, family_first=True)}
    return render(request, "agreements/family_receipt.html", context)


@login_required
def signed_pdf(request, signature_id):
    signature = get_object_or_404(
        Signature.objects.select_related("pupil", "form"),
        pk=signature_id,
        signer=request.user,
        method=Method.FOR_CHILD,
    )
    document = getattr(signature, "document", None)
    if document is None:
        services.request_pdf(signature)
        return render(request, "agreements/family_pdf_pending.html", {"signature": signature}, status=202)
    return signed_pdf_response(request, signature, document)
