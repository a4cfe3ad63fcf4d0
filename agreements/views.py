import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from aup.models import AgreementForm, Audience, VersionStatus
from aup.selectors import exemptions_of
from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view
from schools.models import Membership

from . import services
from .changes import changes_since_last_signed
from .desk import still_to_sign
from .forms import SignForm
from .models import Method, Signature
from .pdf import signed_pdf_response
from .policy import document_response, policy_shown
from .selectors import (
    current_form_for,
    latest_signature_of,
    signatures_of,
)


def _staff_form(request, form_id) -> AgreementForm:
    """A staff form of this school (any version, so a stale link can say it was replaced)."""
    if request.access.membership is None or request.access.membership.is_parent_only:
        raise Http404("No such form.")
    return get_object_or_404(
        AgreementForm.objects.select_related("version__policy").prefetch_related("statements", "sections"),
        pk=form_id,
        audience=Audience.STAFF,
        version__policy__school=request.school,
        version__status__in=[VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED],
    )


@school_view(Cap.VIEW_SCHOOL)
def sign(request, form_id):
    agreement = _staff_form(request, form_id)
    if agreement.version.status != VersionStatus.PUBLISHED:
        current = current_form_for(agreement.version.policy, agreement.audience)
        return render(request, "agreements/superseded.html", {"agreement": agreement, "current": current}, status=410)
    form = SignForm(request.POST or None, form=agreement, initial={"submission_key": secrets.token_urlsafe(24)})
    if request.method == "POST" and form.is_valid():
        presented_at, opened_at = form.policy_times()
        try:
            signature = services.sign(
                form=agreement,
                signer=request.user,
                typed_name=form.cleaned_data["typed_name"],
                statements_agreed=form.agreed_numbers(),
                drawn_signature=form.cleaned_data["drawn_signature"],
                submission_key=form.cleaned_data["submission_key"],
                request=request,
                policy_presented_at=presented_at,
                policy_opened_at=opened_at,
            )
        except services.FormSuperseded as superseded:
            return render(
                request,
                "agreements/superseded.html",
                {"agreement": agreement, "current": superseded.current},
                status=410,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Thank you. Your signature is recorded.")
            return redirect("agreements:receipt", school_slug=request.school.slug, signature_id=signature.pk)
    status = 400 if form.errors else 200
    context = {
        "agreement": agreement,
        "form": form,
        "already_signed": latest_signature_of(request.user, agreement),
        "shown": policy_shown(
            agreement, document_url=reverse("agreements:policy_document", args=[request.school.slug, agreement.pk])
        ),
        **changes_since_last_signed(request.user, agreement),
    }
    return render(request, "agreements/sign.html", context, status=status)


@school_view(Cap.VIEW_SCHOOL)
def policy_document(request, form_id):
    """The policy document of a staff form this person may sign: opened from the sign page."""
    return document_response(_staff_form(request, form_id).version)


def _own_signature(request, signature_id) -> Signature:
    """A signature of this school that is the person's own, or that they may see."""
    signatures = Signature.objects.select_related("form__version__policy", "school", "pupil").filter(
        school=request.school
    )
    signature = get_object_or_404(signatures, pk=signature_id)
    # The office (who keeps the visitors' log) may open visitors' signatures.
    visitor_for_office = signature.method == Method.VISITOR_KIOSK and request.access.can(Cap.MANAGE_PEOPLE)
    if (
        signature.signer_id != request.user.pk
        and not request.access.can(Cap.VIEW_COMPLIANCE)
        and not visitor_for_office
    ):
        raise Http404("No such signature.")
    return signature


@school_view(Cap.VIEW_SCHOOL)
def receipt(request, signature_id):
    signature = _own_signature(request, signature_id)
    if getattr(signature, "document", None) is None:
        services.request_pdf(signature)  # "Refresh this page in a minute" then finds it
    context = {"signature": signature}
    if signature.signer_id == request.user.pk:  # not when the head looks at someone's record
        context["to_sign"] = still_to_sign(request)
    return render(request, "agreements/receipt.html", context)


@school_view(Cap.VIEW_SCHOOL)
def signed_pdf(request, signature_id):
    signature = _own_signature(request, signature_id)
    document = getattr(signature, "document", None)
    if document is None:
        # The signature is saved; the PDF follows when the worker has made it.
        services.request_pdf(signature)
        return render(request, "agreements/pdf_pending.html", {"signature": signature}, status=202)
    return signed_pdf_response(request, signature, document)


@school_view(Cap.VIEW_SCHOOL)
def my_agreements(request):
    signatures = signatures_of(request.user, request.school).select_related("form__version")
    context = {"signatures": signatures, "person": None, "exemptions": exemptions_of(request.user, request.school)}
    return render(request, "agreements/my_agreements.html", context)


@school_view(Cap.VIEW_COMPLIANCE)
def person_agreements(request, membership_id):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, school=request.school)
    signatures = signatures_of(membership.user, request.school).select_related("form__version")
    context = {
        "signatures": signatures,
        "person": membership,
        # The exemptions the person asked for, and the head's answers: part of their record.
        "exemptions": exemptions_of(membership.user, request.school),
        "exemption_links": request.access.can(Cap.MANAGE_POLICIES),
    }
    return render(request, "agreements/my_agreements.html", context)
