"""Paper forms: the office records a form someone signed on paper, with the scan.

One Signature (method PAPER, led_by = the office member) and one PaperScan, written
together: if the scan cannot be saved, no signature is left behind."""

from __future__ import annotations

import datetime
import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from aup.models import AgreementForm, Audience, VersionStatus
from core import audit, downloads
from core.dates import DateField
from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view
from core.uploads import check_document
from schools.models import Membership, Pupil

from . import services
from .compliance import PUPIL_AUDIENCES
from .models import Method, PaperScan, Signature
from .selectors import pupils_who_must_sign

MAX_SCAN_BYTES = 10 * 1024 * 1024
PAPER_AUDIENCES = (Audience.STAFF, Audience.PARENTS, Audience.KS2, Audience.EYFS_KS1)
_AUDIENCE_LABELS = {
    Audience.STAFF: "staff form",
    Audience.PARENTS: "parents' and carers' form",
    Audience.KS2: "pupils' form (key stage 2)",
    Audience.EYFS_KS1: "pupils' form (early years and key stage 1)",
}

SCAN_REFUSED = "The scan must be a PDF, PNG or JPEG file of 10 MB or less. Scan the form again and attach that file."


def check_scan(upload) -> tuple[str, str]:
    """The scan's content type and extension, or a ValidationError beside the field."""
    return check_document(upload, field="scan", max_bytes=MAX_SCAN_BYTES, refused=SCAN_REFUSED)


def paper_forms(school):
    """The published forms of the school that can arrive on paper."""
    return (
        AgreementForm.objects.filter(
            version__policy__school=school,
            version__status=VersionStatus.PUBLISHED,
            audience__in=PAPER_AUDIENCES,
        )
        .select_related("version__policy")
        .order_by("version__policy__title", "audience")
    )


# --- the service ---------------------------------------------------------------


def record_paper_form(
    *,
    form: AgreementForm,
    recorded_by,
    typed_name: str,
    signed_on: datetime.date,
    scan,
    submission_key: str,
    signer=None,
    pupil=None,
    request=None,
) -> Signature:
    """Record a paper form signed on `signed_on`, with its scan, as one unit."""
    school = form.version.policy.school
    if form.audience == Audience.STAFF:
        if signer is None or pupil is not None:
            raise ValidationError({"staff_member": "Choose the member of staff who signed the form."})
    elif form.audience in PUPIL_AUDIENCES:
        if pupil is None or signer is not None:
            raise ValidationError({"pupil": "Choose the pupil the form is for."})
        if pupil.school_id != school.pk:
            raise ValidationError({"pupil": "Choose the pupil the form is for."})
        if form.audience != Audience.PARENTS and not pupils_who_must_sign(form, school).filter(pk=pupil.pk).exists():
            raise ValidationError({"pupil": f"This pupil does not sign the {_AUDIENCE_LABELS[form.audience]}."})
    else:
        raise ValidationError({"agreement": "This form cannot be recorded from paper."})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "The date the form was signed cannot be in the future."})
    content_type, extension = check_scan(scan)
    # The end of the day it was signed, or now if that is today: the time is not known.
    signed_at = min(
        timezone.make_aware(datetime.datetime.combine(signed_on, datetime.time(12, 0))),
        timezone.now(),
    )
    stored_name = None
    try:
        with transaction.atomic():
            signature = services.sign(
                form=form,
                signer=signer,
                typed_name=typed_name,
                statements_agreed=[s.number for s in form.statements.all()],
                submission_key=submission_key,
                request=request,
                method=Method.PAPER,
                pupil=pupil,
                led_by=recorded_by,
                signed_at=signed_at,
            )
            if PaperScan.objects.filter(signature=signature).exists():
                return signature  # the same form submitted twice
            paper_scan = PaperScan(signature=signature, content_type=content_type, uploaded_by=recorded_by)
            paper_scan.file.save(
                f"scan-{signature.verification_code}.{extension}", ContentFile(scan.read()), save=False
            )
            stored_name = paper_scan.file.name
            paper_scan.save()
            whose = f"for {pupil.full_name}" if pupil else f"by {signature.signer_name}"
            audit.record(
                action="agreement.paper_recorded",
                actor=recorded_by,
                school=school,
                obj=signature,
                request=request,
                summary=f"Paper form {form.title} signed {whose} on {signed_on:%d/%m/%Y} recorded by the office",
            )
    except Exception:
        if stored_name:
            PaperScan._meta.get_field("file").storage.delete(stored_name)
        raise
    return signature


# --- the pages -------------------------------------------------------------------


class PaperForm(forms.Form):
    agreement = forms.ModelChoiceField(
        label="Which form was signed",
        queryset=AgreementForm.objects.none(),
        empty_label="Choose a form",
        error_messages={"required": "Choose the form that was signed.", "invalid_choice": "Choose a form."},
    )
    staff_member = forms.ModelChoiceField(
        label="Member of staff who signed it",
        help_text="For a staff form.",
        queryset=Membership.objects.none(),
        required=False,
        empty_label="Choose a member of staff",
    )
    pupil = forms.ModelChoiceField(
        label="Pupil the form is for",
        help_text="For a parents' and carers' form or a pupils' form.",
        queryset=Pupil.objects.none(),
        required=False,
        empty_label="Choose a pupil",
    )
    typed_name = forms.CharField(
        label="Name as written on the form",
        help_text="For a parents' form, the parent's or carer's name; for a pupils' form, the pupil's name.",
        max_length=200,
        error_messages={"required": "Type the name as it is written on the form."},
    )
    signed_on = DateField(
        label="Date signed on the paper form",
        error_messages={"required": "Enter the date the form was signed."},
    )
    scan = forms.FileField(
        label="Scan of the signed form",
        help_text="A PDF, PNG or JPEG file, 10 MB at most.",
        error_messages={"required": "Attach the scan of the signed form.", "empty": SCAN_REFUSED},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )
    submission_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, school, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = paper_forms(school)
        self.fields["agreement"].label_from_instance = lambda f: (
            f"{f.version.policy.title}, version {f.version.number}: {_AUDIENCE_LABELS[f.audience]}"
        )
        self.fields["staff_member"].queryset = (
            Membership.objects.current()
            .staff()
            .filter(school=school)
            .select_related("user")
            .order_by("user__last_name")
        )
        self.fields["staff_member"].label_from_instance = lambda m: f"{m.user.full_name} ({m.user.email})"
        self.fields["pupil"].queryset = Pupil.objects.current().filter(school=school).select_related("school_class")
        self.fields["pupil"].label_from_instance = lambda p: (
            f"{p.full_name}" + (f" ({p.school_class.name})" if p.school_class else "")
        )

    def clean_typed_name(self):
        name = " ".join(self.cleaned_data["typed_name"].split())
        if len(name) < 2:
            raise ValidationError("Type the name as it is written on the form.")
        return name

    def clean_signed_on(self):
        day = self.cleaned_data["signed_on"]
        if day > timezone.localdate():
            raise ValidationError("The date the form was signed cannot be in the future.")
        return day

    def clean_scan(self):
        upload = self.cleaned_data["scan"]
        try:
            check_scan(upload)
        except ValidationError:
            raise ValidationError(SCAN_REFUSED) from None
        return upload

    def clean(self):
        data = super().clean()
        agreement = data.get("agreement")
        if agreement is not None and agreement.audience == Audience.STAFF:
            if not data.get("staff_member"):
                self.add_error("staff_member", "Choose the member of staff who signed the form.")
            data["pupil"] = None
        if agreement is not None and agreement.audience in PUPIL_AUDIENCES:
            if not data.get("pupil"):
                self.add_error("pupil", "Choose the pupil the form is for.")
            data["staff_member"] = None
        return data


@school_view(Cap.MANAGE_PEOPLE)
def record(request):
    form = PaperForm(
        request.POST or None,
        request.FILES or None,
        school=request.school,
        initial={"submission_key": secrets.token_urlsafe(24)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signature = record_paper_form(
                form=data["agreement"],
                recorded_by=request.user,
                typed_name=data["typed_name"],
                signed_on=data["signed_on"],
                scan=data["scan"],
                submission_key=data["submission_key"],
                signer=data["staff_member"].user if data.get("staff_member") else None,
                pupil=data.get("pupil"),
                request=request,
            )
        except services.FormSuperseded:
            form.add_error("agreement", "This form has been replaced by a newer version. Choose the current one.")
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"The paper form signed by {signature.signer_name} is recorded.")
            return redirect("agreements:paper", school_slug=request.school.slug)
    recent = list(
        Signature.objects.filter(school=request.school, method=Method.PAPER)
        .select_related("form__version__policy", "pupil", "paper_scan")
        .order_by("-id")[:20]
    )
    for signature in recent:  # which of the policy's forms it was: staff, parents' or pupils'
        signature.form_label = _AUDIENCE_LABELS.get(signature.form.audience, "")
    status = 400 if form.errors else 200
    return render(request, "agreements/paper_record.html", {"form": form, "recent": recent}, status=status)


@school_view(Cap.VIEW_SCHOOL)
def scan(request, scan_id):
    """The scan, for people who manage people or see compliance in this school only."""
    if not (request.access.can(Cap.MANAGE_PEOPLE) or request.access.can(Cap.VIEW_COMPLIANCE)):
        raise Http404("No such scan.")
    paper_scan = get_object_or_404(
        PaperScan.objects.select_related("signature"), pk=scan_id, signature__school=request.school
    )
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(paper_scan.content_type, "bin")
    return downloads.file_response(
        request,
        paper_scan.file.open("rb"),
        filename=f"paper-form-{paper_scan.signature.verification_code}.{extension}",
        content_type=paper_scan.content_type,
        action="agreement.scan_downloaded",
        summary="Scan of a paper form downloaded",
        obj=paper_scan.signature,
    )
