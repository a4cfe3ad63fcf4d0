"""Signing: every way a form gets signed ends here, as an immutable Signature."""

from __future__ import annotations

import base64
import binascii

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from aup.models import AgreementForm, Audience, VersionStatus
from aup.services import policy_digests
from core import audit
from core.academic_year import AcademicYear
from core.audit import client_ip

from .models import FormText, Method, Signature
from .selectors import current_form_for

MAX_DRAWN_SIGNATURE_BYTES = 200 * 1024
_DATED_METHODS = {Method.PAPER, Method.READ_ALOUD, Method.CLASS_SESSION}


class FormSuperseded(ValidationError):
    """The form was replaced by a newer version while the person was signing."""

    def __init__(self, current: AgreementForm | None):
        self.current = current
        super().__init__("This form has been replaced by a newer version. Please read and sign the current one.")


def _check_drawn_signature(data_url: str) -> str:
    if not data_url:
        return ""
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise ValidationError({"drawn_signature": "The drawn signature could not be read. Clear it and draw it again."})
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(
            {"drawn_signature": "The drawn signature could not be read. Clear it and draw it again."}
        ) from None
    if not raw.startswith(b"\x89PNG\r\n\x1a\n") or len(raw) > MAX_DRAWN_SIGNATURE_BYTES:
        raise ValidationError({"drawn_signature": "The drawn signature could not be read. Clear it and draw it again."})
    return data_url


def sign(
    *,
    form: AgreementForm,
    signer,
    typed_name: str,
    statements_agreed: list[int],
    submission_key: str,
    request=None,
    drawn_signature: str = "",
    method: str = Method.SELF,
    pupil=None,
    led_by=None,
    signed_at=None,
    class_session=None,
    details: dict | None = None,
    queue_pdf: bool = True,
    device: tuple[str | None, str] | None = None,
    policy_presented_at=None,
    policy_opened_at=None,
) -> Signature:
    """Record a signature. Submitting the same form twice (double click, back
    button) returns the first signature rather than making a second.

    `signer` is the person signing with a login; it is None for a visitor at the
    reception kiosk and for a pupil (pupils have no login: `pupil` and `led_by`
    say who signed and who led the session).

    The signed PDF is queued for the worker when the signature is committed, unless
    `queue_pdf` is False (a bulk load such as the demo's): then it is made when
    someone first asks for it (`request_pdf`).

    `device` is the (IP address, user agent) of the device a pupil signed on in a
    class session, when the signature is made later on the teacher's confirmation:
    the request's device is then kept as the one the teacher confirmed from.

    Every signature records the policy its statements refer to (the SHA-256 of the
    version's text and document); `policy_presented_at` and `policy_opened_at` say
    when the signing page showed the policy and when the person opened it (see
    agreements.forms.policy_times), where the portal showed it."""
    existing = Signature.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return _same_submission(existing, form=form, signer=signer, pupil=pupil)
    try:
        with transaction.atomic():
            return _sign(
                form=form,
                signer=signer,
                typed_name=typed_name,
                statements_agreed=statements_agreed,
                submission_key=submission_key,
                request=request,
                drawn_signature=drawn_signature,
                method=method,
                pupil=pupil,
                led_by=led_by,
                signed_at=signed_at,
                class_session=class_session,
                details=details or {},
                queue_pdf=queue_pdf,
                device=device,
                policy_presented_at=policy_presented_at,
                policy_opened_at=policy_opened_at,
            )
    except IntegrityError:
        # Two submissions of one form at the same moment: the other one won.
        existing = Signature.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return _same_submission(existing, form=form, signer=signer, pupil=pupil)


def _same_submission(existing: Signature, *, form, signer, pupil) -> Signature:
    """A repeated submission is the same person signing the same form for the same
    child. The key comes from the browser, so a key that matches someone else's
    signature is refused rather than answered with their record."""
    same = (
        existing.form_id == form.pk
        and existing.signer_id == getattr(signer, "pk", None)
        and existing.pupil_id == getattr(pupil, "pk", None)
    )
    if not same:
        raise ValidationError("This form was already submitted. Please reload the page and sign again.")
    return existing


def _sign(
    *,
    form,
    signer,
    typed_name,
    statements_agreed,
    submission_key,
    request,
    drawn_signature,
    method,
    pupil,
    led_by,
    signed_at=None,
    class_session=None,
    details=None,
    queue_pdf=True,
    device=None,
    policy_presented_at=None,
    policy_opened_at=None,
):
    from .tasks import render_signed_pdf

    # A paper form carries the day it was signed on paper, a read-aloud the day it was
    # read, a class session the moment each pupil signed (confirmed later).
    if signed_at is not None and method not in _DATED_METHODS:
        raise ValueError("Only paper forms, read-alouds and class sessions give their own time.")
    if signed_at is not None and signed_at > timezone.now():
        raise ValidationError({"signed_on": "The date the form was signed cannot be in the future."})
    signed_at = signed_at or timezone.now()
    if device is not None and method != Method.CLASS_SESSION:
        raise ValueError("Only a class session's signatures come from another device than the request's.")
    request_device = (client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:500] if request else "")
    signed_from, confirmed_from = (device, request_device) if device is not None else (request_device, (None, ""))

    form = AgreementForm.objects.select_related("version__policy__school").get(pk=form.pk)
    if form.version.status != VersionStatus.PUBLISHED:
        raise FormSuperseded(current_form_for(form.version.policy, form.audience))
    typed_name = " ".join(typed_name.split())
    if len(typed_name) < 2:
        raise ValidationError({"typed_name": "Type your full name to sign."})
    numbers = sorted({s.number for s in form.statements.all()})
    if sorted(set(statements_agreed)) != numbers:
        raise ValidationError({"statements": "Tick to agree to every section, or speak to the school first."})
    school = form.version.policy.school
    body_sha256, document_sha256 = policy_digests(form.version)
    details = dict(details or {})
    if _parent_countersigns(form, method, pupil):
        # Fixed at signing, as the PDF's empty field for it is: a later change of the
        # form's setting does not change what this signature awaits.
        details["countersign"] = "parent"
    signature = Signature.objects.create(
        school=school,
        form=form,
        text=FormText.objects.get(sha256=form.text_sha256),
        method=method,
        signer=signer,
        signer_name=typed_name,
        pupil=pupil,
        led_by=led_by,
        statements_agreed=numbers,
        drawn_signature=_check_drawn_signature(drawn_signature),
        academic_year=AcademicYear.containing(timezone.localdate(signed_at)).start_year,
        signed_at=signed_at,
        class_session=class_session,
        details=details or {},
        ip_address=signed_from[0],
        user_agent=(signed_from[1] or "")[:500],
        confirmed_ip_address=confirmed_from[0],
        confirmed_user_agent=confirmed_from[1],
        submission_key=submission_key,
        policy_body_sha256=body_sha256,
        policy_document_sha256=document_sha256,
        policy_presented_at=policy_presented_at,
        policy_opened_at=policy_opened_at,
    )
    audit.record(
        action="agreement.signed",
        actor=signer or led_by,
        school=school,
        obj=signature,
        request=request,
        summary=f"{typed_name} signed {form.title} ({form.version})" + (f" for {pupil.full_name}" if pupil else ""),
    )
    if queue_pdf:
        render_signed_pdf.delay_on_commit(signature.pk)
    return signature


def _parent_countersigns(form, method, pupil) -> bool:
    """A pupil's own signature of a form the school has a parent countersign."""
    return (
        form.parent_countersigns
        and form.audience == Audience.KS2
        and pupil is not None
        and method in (Method.CLASS_SESSION, Method.PAPER)
    )


def request_pdf(signature: Signature) -> None:
    """Someone asked for the signed PDF and it is not there yet: make sure it is on
    its way. It was queued when the signature was saved, unless the signature was
    loaded without one (the demo's) or the broker lost the task; queueing it again
    is safe, as the task makes the document once. At most once a minute for a
    signature, so a person refreshing "being prepared" does not fill the queue."""
    from .tasks import render_signed_pdf

    if cache.add(f"pdf-requested:signature:{signature.pk}", True, timeout=60):
        render_signed_pdf.delay_on_commit(signature.pk)
