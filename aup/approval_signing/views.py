"""The approval page of a version: the chair of governors signs, the headteacher
countersigns, and the signed PDF (both signatures) is downloaded. Under the school
(core.tenancy.school_view); a version of another school, or a person who neither signs
nor manages policies, gets a 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from core import downloads
from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view

from ..models import ApprovalDocument, PolicyVersion
from . import services

_CAPS = {services.CHAIR: Cap.SIGN_APPROVAL_AS_CHAIR, services.HEAD: Cap.SIGN_APPROVAL_AS_HEAD}


class ApprovalSignForm(forms.Form):
    confirm = forms.BooleanField(
        error_messages={"required": "Tick to confirm the governing body approved this version."}
    )
    typed_name = forms.CharField(
        label="Your full name",
        max_length=200,
        error_messages={"required": "Type your full name to sign."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


def _version(request, version_id) -> PolicyVersion:
    access = request.access
    if not (access.can(Cap.MANAGE_POLICIES) or any(access.can(cap) for cap in _CAPS.values())):
        raise Http404("No such version.")
    return get_object_or_404(
        PolicyVersion.objects.select_related("policy__school"), pk=version_id, policy__school=request.school
    )


@school_view(Cap.VIEW_SCHOOL)
def approval(request, version_id):
    version = _version(request, version_id)
    role = services.next_role(version)
    may_sign = role is not None and request.access.can(_CAPS[role])
    form = ApprovalSignForm(request.POST if request.method == "POST" else None)
    form.fields["confirm"].label = (
        f"The governing body agreed {version.policy.title}, version {version.number}"
        + (f", at its meeting on {version.approved_on:%d/%m/%Y}" if version.approved_on else "")
        + (
            ", and I sign its approval as chair of governors"
            if role == services.CHAIR
            else ", and I countersign its approval as headteacher"
        )
    )
    if request.method == "POST":
        if not may_sign:
            raise Http404("Nothing to sign.")
        if form.is_valid():
            try:
                services.sign_approval(
                    version=version,
                    role=role,
                    signer=request.user,
                    typed_name=form.cleaned_data["typed_name"],
                    request=request,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, "Thank you: your signature is on the approval.")
                return redirect("aup:approval", school_slug=request.school.slug, version_id=version.pk)
    context = {
        "version": version,
        "policy": version.policy,
        "signatures": list(version.approval_signatures.select_related("signer")),
        "role": role,
        "role_label": dict(services.ApprovalSignature.Role.choices).get(role, ""),
        "may_sign": may_sign,
        "form": form,
        "document": version.approval_documents.order_by("-signature_count").first(),
    }
    return render(request, "aup/approval.html", context, status=400 if form.errors else 200)


@school_view(Cap.VIEW_SCHOOL)
def approval_pdf(request, version_id):
    version = _version(request, version_id)
    document = ApprovalDocument.objects.filter(version=version).order_by("-signature_count").first()
    if document is None:
        raise Http404("Not signed yet.")
    return downloads.file_response(
        request,
        document.file.open("rb"),
        filename=f"approval-{version.policy.title[:40]}-version-{version.number}.pdf".replace(" ", "-").lower(),
        content_type="application/pdf",
        action="policy.approval_pdf_downloaded",
        summary="Signed approval downloaded as PDF",
        school=request.school,
        obj=version,
    )
