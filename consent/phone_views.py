"""Mobile phone permission slips: carers ask from /family/, the head decides, the
office keeps the list of pupils who hand a phone in."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view
from schools.selectors import children_of

from . import phones
from .forms import PhoneDecisionForm, PhoneRequestForm
from .models import PhonePermission, PhoneStatus

# --- Carers ---------------------------------------------------------------------------


def _my_child(request, pupil_id) -> phones.FamilyPhone:
    """One of this person's own children, with parental responsibility: else 404."""
    rows = phones.family_phones(children_of(request.user).filter(pupil_id=pupil_id))
    if not rows or not rows[0].guardianship.parental_responsibility:
        raise Http404("No such child.")
    return rows[0]


@login_required
def family_home(request):
    rows = phones.family_phones(children_of(request.user))
    return render(request, "consent/phone_family_home.html", {"rows": rows, "rules": phones.PHONE_RULES})


@login_required
def family_request(request, pupil_id):
    row = _my_child(request, pupil_id)
    if row.is_open and request.method != "POST":
        messages.info(request, phones.ALREADY_OPEN)
        return redirect("family_consent:phones")
    form = PhoneRequestForm(request.POST or None, initial={"submission_key": secrets.token_urlsafe(24)})
    if request.method == "POST" and form.is_valid():
        try:
            phones.request_permission(
                carer=request.user,
                pupil=row.pupil,
                reason=form.cleaned_data["reason"],
                typed_name=form.cleaned_data["typed_name"],
                agreed=form.cleaned_data["agree"],
                submission_key=form.cleaned_data["submission_key"],
                request=request,
            )
        except PermissionDenied:
            raise Http404("No such child.") from None
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, f"Thank you. The headteacher will look at your request for {row.pupil.first_name}."
            )
            return redirect("family_consent:phones")
    return render(
        request,
        "consent/phone_request.html",
        {"row": row, "form": form, "rules": phones.PHONE_RULES},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def family_end(request, pupil_id):
    row = _my_child(request, pupil_id)
    if not row.is_open:
        raise Http404("Nothing to end.")
    try:
        phones.end(permission=row.latest, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Done: {row.pupil.first_name} no longer brings a phone to school."
            if row.latest.status == PhoneStatus.APPROVED
            else f"Your request for {row.pupil.first_name} is withdrawn.",
        )
    return redirect("family_consent:phones")


# --- Staff ----------------------------------------------------------------------------


@school_view(Cap.VIEW_PHONES)
def phone_list(request):
    groups = phones.approved_by_class(request.school)
    waiting = phones.waiting(request.school).count() if request.access.can(Cap.DECIDE_PHONES) else None
    return render(
        request,
        "consent/phone_list.html",
        {"groups": groups, "total": sum(len(g.permissions) for g in groups), "waiting": waiting},
    )


@school_view(Cap.VIEW_PHONES)
def phone_print(request):
    groups = phones.approved_by_class(request.school)
    return render(
        request,
        "consent/phone_print.html",
        {"groups": groups, "total": sum(len(g.permissions) for g in groups)},
    )


def _requests_page(request, failed=None, status=200):
    rows = []
    for permission in phones.waiting(request.school):
        if failed is not None and failed.prefix == f"p{permission.pk}":
            rows.append((permission, failed))
        else:
            rows.append((permission, PhoneDecisionForm(prefix=f"p{permission.pk}")))
    return render(request, "consent/phone_requests.html", {"rows": rows}, status=status)


@school_view(Cap.DECIDE_PHONES)
def phone_requests(request):
    return _requests_page(request)


@school_view(Cap.DECIDE_PHONES)
@require_POST
def phone_decide(request, phone_id):
    permission = get_object_or_404(PhonePermission, pk=phone_id, school=request.school)
    form = PhoneDecisionForm(request.POST, prefix=f"p{permission.pk}")
    if permission.status != PhoneStatus.REQUESTED:
        messages.error(request, "This request has already been decided.")
        return redirect("consent:phone_requests", school_slug=request.school.slug)
    if form.is_valid():
        try:
            phones.decide(
                permission=permission,
                by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            approved = form.cleaned_data["decision"] == "approve"
            messages.success(
                request,
                f"{'Approved' if approved else 'Refused'}: {permission.pupil.full_name}. The family is emailed.",
            )
            return redirect("consent:phone_requests", school_slug=request.school.slug)
    return _requests_page(request, failed=form, status=400)


@school_view(Cap.DECIDE_PHONES)
@require_POST
def phone_end(request, phone_id):
    permission = get_object_or_404(PhonePermission, pk=phone_id, school=request.school)
    if permission.status != PhoneStatus.APPROVED:
        messages.error(request, "This pupil has no phone permission to end.")
    else:
        phones.end(permission=permission, by=request.user, request=request)
        messages.success(request, f"Ended: {permission.pupil.full_name} no longer brings a phone.")
    return redirect("consent:phones", school_slug=request.school.slug)
