import csv
import difflib
import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone

from aup.models import AgreementForm, Audience, VersionStatus
from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view
from schools.models import Membership

from . import services
from .forms import SignForm
from .models import Signature
from .selectors import (
    current_form_for,
    latest_signature_of,
    previous_signed_text,
    signatures_of,
    staff_compliance,
    staff_rows,
)


def _staff_form(request, form_id) -> AgreementForm:
    """A staff form of this school (any version, so a stale link can say it was replaced)."""
    if request.access.membership is None or request.access.membership.is_parent_only:
        raise Http404("No such form.")
    return get_object_or_404(
        AgreementForm.objects.select_related("version__policy").prefetch_related("statements"),
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
        try:
            signature = services.sign(
                form=agreement,
                signer=request.user,
                typed_name=form.cleaned_data["typed_name"],
                statements_agreed=form.agreed_numbers(),
                drawn_signature=form.cleaned_data["drawn_signature"],
                submission_key=form.cleaned_data["submission_key"],
                request=request,
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
        **_changes_since_last_signed(request.user, agreement),
    }
    return render(request, "agreements/sign.html", context, status=status)


def _changes_since_last_signed(user, agreement) -> dict:
    """What changed since the person signed an earlier version of this form, for the
    sign page: the aup app's diff include when there is one, else our own."""
    old_text = previous_signed_text(user, agreement)
    if old_text is None:
        return {}
    new_text = agreement.canonical_text()
    if old_text == new_text:
        return {}
    try:
        get_template("aup/_form_diff.html")
        include = "aup/_form_diff.html"
    except TemplateDoesNotExist:
        include = "agreements/_changes.html"
    lines = []
    for line in difflib.ndiff(old_text.splitlines(), new_text.splitlines()):
        op, text = line[:1], line[2:]
        if op in "+- " and (text.strip() or op != " "):
            lines.append({"op": {"+": "added", "-": "removed", " ": "same"}[op], "text": text})
    return {"changes_include": include, "old_text": old_text, "new_text": new_text, "change_lines": lines}


def _own_signature(request, signature_id) -> Signature:
    """A signature of this school that is the person's own, or that they may see."""
    signatures = Signature.objects.select_related("form__version__policy", "school", "pupil").filter(
        school=request.school
    )
    signature = get_object_or_404(signatures, pk=signature_id)
    if signature.signer_id != request.user.pk and not request.access.can(Cap.VIEW_COMPLIANCE):
        raise Http404("No such signature.")
    return signature


@school_view(Cap.VIEW_SCHOOL)
def receipt(request, signature_id):
    signature = _own_signature(request, signature_id)
    return render(request, "agreements/receipt.html", {"signature": signature})


@school_view(Cap.VIEW_SCHOOL)
def signed_pdf(request, signature_id):
    signature = _own_signature(request, signature_id)
    document = getattr(signature, "document", None)
    if document is None:
        # The signature is saved; the PDF follows when the worker has made it.
        return render(request, "agreements/pdf_pending.html", {"signature": signature}, status=202)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{signature.verification_code}.pdf",
        content_type="application/pdf",
    )


@school_view(Cap.VIEW_SCHOOL)
def my_agreements(request):
    signatures = signatures_of(request.user, request.school).select_related("form__version")
    return render(request, "agreements/my_agreements.html", {"signatures": signatures, "person": None})


@school_view(Cap.VIEW_COMPLIANCE)
def person_agreements(request, membership_id):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, school=request.school)
    signatures = signatures_of(membership.user, request.school).select_related("form__version")
    return render(request, "agreements/my_agreements.html", {"signatures": signatures, "person": membership})


@school_view(Cap.VIEW_COMPLIANCE)
def compliance(request):
    return render(request, "agreements/compliance.html", {"results": staff_compliance(request.school)})


def _compliance_form(request, form_id) -> AgreementForm:
    return get_object_or_404(
        AgreementForm.objects.select_related("version__policy"),
        pk=form_id,
        audience=Audience.STAFF,
        version__policy__school=request.school,
        version__status=VersionStatus.PUBLISHED,
    )


@school_view(Cap.VIEW_COMPLIANCE)
def compliance_form(request, form_id):
    agreement = _compliance_form(request, form_id)
    rows = staff_rows(agreement)
    context = {
        "agreement": agreement,
        "outstanding": [r for r in rows if not r.signed],
        "signed": [r for r in rows if r.signed],
    }
    return render(request, "agreements/compliance_form.html", context)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A spreadsheet must not run a cell as a formula: a leading apostrophe makes it text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


@school_view(Cap.VIEW_COMPLIANCE)
def compliance_csv(request, form_id):
    agreement = _compliance_form(request, form_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{request.school.slug}-form-{agreement.pk}-status.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["Last name", "First name", "Email", "Staff type", "Job title", "Status", "Signed on", "Code"])
    for row in staff_rows(agreement):
        user = row.membership.user
        signed_on = timezone.localtime(row.signature.signed_at).strftime("%d/%m/%Y %H:%M") if row.signed else ""
        writer.writerow(
            csv_safe(v)
            for v in [
                user.last_name,
                user.first_name,
                user.email,
                row.membership.get_staff_type_display(),
                row.membership.job_title,
                "Signed" if row.signed else "Outstanding",
                signed_on,
                row.signature.verification_code if row.signed else "",
            ]
        )
    return response
