"""A parent or carer countersigns, from /family/, what their child agreed in a class
session. Only their own child's signature is found (with parental responsibility):
anyone else's id is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from core.forms import apply_validation_error

from ..pdf import signed_pdf_response
from ..signing_record import evidence_rows
from . import selectors, services
from .forms import CountersignForm, presented_at, presented_token


def _signature(request, signature_id):
    signature = selectors.for_parent(request.user, signature_id)
    if signature is None:
        raise Http404("No such signature.")
    return signature


@login_required
def countersign(request, signature_id):
    signature = _signature(request, signature_id)
    done = getattr(signature, "countersignature", None)
    pupil = signature.pupil
    form = CountersignForm(
        request.POST if request.method == "POST" and done is None else None,
        confirm_label=f"I have read what {pupil.first_name} agreed to, and I countersign it as their parent or carer",
        initial={"presented": presented_token(signature.pk)},
    )
    if form.is_bound and form.is_valid():
        try:
            services.countersign(
                signature=signature,
                signer=request.user,
                role=selectors.PARENT,
                typed_name=form.cleaned_data["typed_name"],
                relationship=selectors.relationship_of(request.user, pupil),
                request=request,
                presented_at=presented_at(form.cleaned_data["presented"], signature.pk),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("family_sign:countersign", signature_id=signature.pk)
    context = {
        "signature": signature,
        "pupil": pupil,
        "done": done,
        "form": form,
        "evidence": [row for row in evidence_rows(signature) if not row.small],
    }
    return render(request, "agreements/family_countersign.html", context, status=400 if form.errors else 200)


@login_required
def countersigned_pdf(request, signature_id):
    """The PDF with both signatures, once the parent has countersigned."""
    signature = _signature(request, signature_id)
    countersignature = getattr(signature, "countersignature", None)
    if countersignature is None:
        raise Http404("Not countersigned yet.")
    document = getattr(countersignature, "document", None)
    if document is None:
        from ..tasks import render_countersigned_pdf

        render_countersigned_pdf.delay_on_commit(countersignature.pk)
        return render(request, "agreements/family_pdf_pending.html", {"signature": signature}, status=202)
    return signed_pdf_response(request, signature, document, summary="Countersigned agreement downloaded as PDF")
