"""Carers answer the photo consent form for their own children, from /family/.

These pages live outside any school, so every child and record is found only through
the signed-in person's own guardianships (or their own records): anything else is 404."""

from __future__ import annotations

import secrets

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from core import downloads
from core.forms import apply_validation_error
from schools.selectors import children_of

from . import services
from .forms import AnswerForm
from .models import ConsentRecord
from .pdf import answer_rows
from .selectors import family_consent


@login_required
def home(request):
    children = family_consent(request.user, list(children_of(request.user)))
    return render(request, "consent/family_home.html", {"children": children})


@login_required
def answer(request, pupil_id):
    children = family_consent(request.user, list(children_of(request.user)))
    child = next((c for c in children if c.pupil.pk == pupil_id), None)
    if child is None:
        raise Http404("No such child.")
    if child.form is None:
        return render(request, "consent/family_no_form.html", {"child": child})
    if not child.guardianship.parental_responsibility:
        return render(request, "consent/family_cannot_answer.html", {"child": child}, status=403)
    others = [
        c.pupil
        for c in children
        if c.pupil.pk != pupil_id and c.can_answer and c.pupil.school_id == child.pupil.school_id
    ]
    initial = {"submission_key": secrets.token_urlsafe(24)}
    if child.mine is not None:  # start from this carer's own answers
        for purpose in child.form.purposes.all():
            value = child.mine.answer(purpose.code)
            if value is not None:
                initial[f"use_{purpose.code}"] = "yes" if value else "no"
    form = AnswerForm(request.POST or None, purposes=child.form.purposes.all(), others=others, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = [child.pupil] + [p for p in others if str(p.pk) in form.cleaned_data.get("also_for", [])]
        try:
            records = services.record_answers(
                carer=request.user,
                form=child.form,
                pupils=chosen,
                answers=form.answers(),
                typed_name=form.cleaned_data["typed_name"],
                drawn_signature=form.cleaned_data["drawn_signature"],
                submission_key=form.cleaned_data["submission_key"],
                request=request,
            )
        except PermissionDenied:
            raise Http404("No such child.") from None
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("family_consent:receipt", record_id=records[0].pk)
    return render(
        request,
        "consent/family_answer.html",
        {"child": child, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def receipt(request, record_id):
    record = get_object_or_404(ConsentRecord, pk=record_id, carer=request.user)
    key = record.submission_key.rsplit(":", 1)[0]
    records = list(
        ConsentRecord.objects.filter(carer=request.user, submission_key__startswith=f"{key}:")
        .select_related("pupil", "form", "school", "document")
        .prefetch_related("form__purposes")
        .order_by("pupil__first_name")
    )
    rows = [(r, answer_rows(r)) for r in records]
    return render(request, "consent/family_receipt.html", {"rows": rows})


@login_required
def record_pdf(request, record_id):
    record = get_object_or_404(ConsentRecord.objects.select_related("pupil"), pk=record_id, carer=request.user)
    return _pdf_response(request, record)


def _pdf_response(request, record):
    document = getattr(record, "document", None)
    if document is None:
        services.request_pdf(record)
        return render(request, "consent/pdf_pending.html", {"record": record}, status=202)
    return downloads.file_response(
        request,
        document.file.open("rb"),
        filename=f"consent-{record.verification_code}.pdf",
        content_type="application/pdf",
        action="consent.pdf_downloaded",
        summary="Signed photo consent downloaded as PDF",
        school=record.school,
        obj=record,
    )
