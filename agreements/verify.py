"""/verify/: anyone holding a signed PDF, or its verification code, can check that the
portal issued it and that it is unchanged. Public, no sign-in; it shows the school, the
policy, the version, the date and the signer's initials only; rate limited per address."""

from __future__ import annotations

import hashlib
import io
import re
import time
from dataclasses import dataclass

from django import forms
from django.core.cache import cache
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from aup.models import Audience
from core.audit import client_ip
from core.signing import PdfCheck, Verdict, validate_pdf

from .models import _CODE_ALPHABET, Countersignature, CountersignedDocument, Method, Signature, SignedDocument
from .pdf import uk_datetime

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
RATE_LIMIT = 20  # checks per address...
RATE_WINDOW = 10 * 60  # ...in ten minutes

_CODE_RE = re.compile(f"^[{_CODE_ALPHABET}]{{12}}$")


def normalise_code(raw: str) -> str | None:
    """'abcd efgh jkmn', 'ABCD-EFGH-JKMN' -> 'ABCD-EFGH-JKMN'; None if it cannot be a code."""
    compact = re.sub(r"[\s\-–—]", "", raw or "").upper()
    if not _CODE_RE.match(compact):
        return None
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Verification code",
        max_length=40,
        help_text="12 letters and numbers, printed at the bottom of each page, for example ABCD-EFGH-JKMN.",
        error_messages={"required": "Enter the verification code printed on the document."},
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                "A verification code is 12 letters and numbers, like ABCD-EFGH-JKMN. Check it and try again."
            )
        return code


class UploadForm(forms.Form):
    document = forms.FileField(
        label="The signed PDF",
        help_text="A PDF of up to 10 MB. It is checked and not kept.",
        error_messages={"required": "Choose the PDF file to check."},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 10 MB, so it is not a document the portal issued.")
        upload.seek(0)
        head = upload.read(1024)
        if b"%PDF-" not in head:
            raise forms.ValidationError("The file is not a PDF. Choose the signed PDF you were sent or downloaded.")
        upload.seek(0)
        return upload.read()  # at most 10 MB, checked above


def initials(name: str) -> str:
    """'Amelia Jane Khan' -> 'A. J. K.'"""
    return " ".join(f"{part[0].upper()}." for part in re.split(r"[\s\-]+", name or "") if part[:1].isalpha())


def how_it_was_signed(signature: Signature) -> str:
    """Who signed and how, in words that name nobody: a pupil's own signature is not
    a parent's, a form read aloud was not signed, a loan receipt is about equipment."""
    details = signature.details or {}
    for_child = signature.method == Method.FOR_CHILD
    by = "by a parent or carer, for their child" if for_child else "by the borrower"
    if details.get("return_of_loan"):
        return f"Signed on handing back school equipment that was on loan, {by}"
    if details.get("loan"):
        return f"Signed on receiving school equipment on loan, {by}"
    audience = signature.form.audience
    match signature.method:
        case Method.FOR_CHILD:
            return "Signed in the portal by a parent or carer, for their child"
        case Method.CLASS_SESSION:
            return "Signed by a pupil, for themselves, in a class session led by their teacher"
        case Method.READ_ALOUD:
            return "Read aloud to a pupil in class by their teacher (the pupil did not sign)"
        case Method.VISITOR_KIOSK:
            return "Signed at the school's reception by a visitor"
        case Method.PAPER if audience == Audience.PARENTS:
            return "Signed on paper by a parent or carer, for their child; recorded by the school office"
        case Method.PAPER if audience == Audience.KS2:
            return "Signed on paper by a pupil, for themselves; recorded by the school office"
        case Method.PAPER if audience == Audience.EYFS_KS1:
            return "A pupil's paper form, recorded by the school office"
        case Method.PAPER:
            return "Signed on paper by the person themselves; recorded by the school office"
        case _:
            return "Signed in the portal by the person themselves"


def _whose_initials(signature: Signature) -> str:
    """The initials are the pupil's where the pupil did not sign (the name recorded
    is theirs), the signer's otherwise."""
    read_to_pupil = signature.method == Method.READ_ALOUD or (
        signature.method == Method.PAPER and signature.form.audience == Audience.EYFS_KS1
    )
    return "Pupil's initials" if read_to_pupil else "Signer's initials"


def _details(signature: Signature) -> dict:
    """What the page may say about a signature: never a full name, never the child."""
    version = signature.form.version
    return {
        "school": signature.school.name,
        "policy": version.policy.title,
        "version": version.number,
        "form": signature.form.title,
        "signed_at": uk_datetime(signature.signed_at),
        "how": how_it_was_signed(signature),
        "initials_label": _whose_initials(signature),
        "initials": initials(signature.signer_name),
        "replaced": signature.superseded_by.exists(),
        "has_document": hasattr(signature, "document"),
        "countersigned": _countersigned(signature),
    }


def _countersigned(signature: Signature) -> str:
    """ "Countersigned by a parent or carer on …": the role and the time, no name."""
    countersignature = Countersignature.objects.filter(signature=signature).first()
    if countersignature is None:
        return ""
    who = (
        "a parent or carer"
        if countersignature.role == Countersignature.Role.PARENT
        else "the member of staff handing over"
    )
    return f"Countersigned by {who} on {uk_datetime(countersignature.signed_at)}"


_SIGNATURES = Signature.objects.select_related("school", "form__version__policy", "document")


def _rate_limited(request) -> bool:
    """A fixed window per address in the cache: at most RATE_LIMIT checks per RATE_WINDOW."""
    window = int(time.time() // RATE_WINDOW)
    key = f"verify:{client_ip(request) or 'unknown'}:{window}"
    cache.add(key, 0, timeout=RATE_WINDOW + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW + 5)
        count = 1
    return count > RATE_LIMIT


@dataclass(frozen=True)
class UploadCheck:
    """What an uploaded PDF is: its digital signatures checked (core.signing), and
    whether our records hold a PDF with exactly its bytes."""

    pdf: PdfCheck
    in_records: bool  # a SignedDocument has this file's SHA-256
    signature: Signature | None  # the agreement it records, when known

    @property
    def outcome(self) -> str:
        """One word for the template: which answer the page gives.
        issued: our records hold exactly this file (its digital signature is reported
            beside; a PDF issued before the portal signed them carries none);
        signed: not byte-for-byte in our records, but the portal's signature holds and
            names the agreement (a later countersigned copy, or records since lost);
        changed / other_signer / unsigned / unknown: the problems, each its own answer."""
        verdict = self.pdf.verdict
        if self.in_records:
            return "issued"
        if verdict == Verdict.VALID:
            return "signed" if self.signature else "signed_unknown"
        if verdict == Verdict.CHANGED:
            return "changed"
        if verdict == Verdict.OTHER_SIGNER:
            return "other_signer"
        if verdict == Verdict.UNSIGNED:
            return "unsigned"
        return "unknown"

    @property
    def signed_digitally(self) -> bool:
        return self.pdf.verdict != Verdict.UNSIGNED


def _code_in(pdf: bytes) -> str | None:
    """The verification code the PDF names in its metadata (/Keywords, written by the
    templates): how a validly signed file not in our records finds its agreement."""
    from pypdf import PdfReader

    try:
        keywords = (PdfReader(io.BytesIO(pdf)).metadata or {}).get("/Keywords") or ""
    except Exception:  # noqa: BLE001 - an unreadable file names nothing
        return None
    return normalise_code(str(keywords))


def check_upload(pdf: bytes) -> UploadCheck:
    digest = hashlib.sha256(pdf).hexdigest()
    document = SignedDocument.objects.select_related("signature__school", "signature__form__version__policy").filter(
        sha256=digest
    )
    document = document.first()
    check = validate_pdf(pdf)
    signature = document.signature if document else None
    if document is None:
        # The copy with both signatures of a countersigned document (issue 20).
        document = (
            CountersignedDocument.objects.select_related(
                "countersignature__signature__school", "countersignature__signature__form__version__policy"
            )
            .filter(sha256=digest)
            .first()
        )
        signature = document.countersignature.signature if document else None
    if signature is None and check.verdict == Verdict.VALID and (code := _code_in(pdf)):
        # Only a file the portal's own key signed, unchanged, may name its agreement.
        signature = _SIGNATURES.filter(verification_code=code).first()
    return UploadCheck(pdf=check, in_records=document is not None, signature=signature)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    code_form = CodeForm(request.GET if "code" in request.GET else None)
    upload_form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    context = {"code_form": code_form, "upload_form": upload_form, "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
    checking = code_form.is_bound or upload_form.is_bound
    if not checking:
        return render(request, "agreements/verify.html", context)
    if _rate_limited(request):
        context["rate_limited"] = True
        response = render(request, "agreements/verify.html", context, status=429)
        response["Retry-After"] = str(RATE_WINDOW)
        return response

    if code_form.is_bound:
        context["checked"] = "code"
        if not code_form.is_valid():
            return render(request, "agreements/verify.html", context, status=400)
        signature = _SIGNATURES.filter(verification_code=code_form.cleaned_data["code"]).first()
        context["code"] = code_form.cleaned_data["code"]
    else:
        context["checked"] = "upload"
        if not upload_form.is_valid():
            return render(request, "agreements/verify.html", context, status=400)
        upload = check_upload(upload_form.cleaned_data["document"])
        context["upload"] = upload
        signature = upload.signature
    context["result"] = _details(signature) if signature else None
    return render(request, "agreements/verify.html", context)
