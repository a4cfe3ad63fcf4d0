"""Writes: a countersignature (evidence), and the PDF that carries both signatures."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import audit
from core.audit import client_ip
from core.pdf import uk_datetime

from ..models import Countersignature, CountersignedDocument, Kind, Signature, SignedDocument
from .selectors import awaited_role


def countersign(
    *,
    signature: Signature,
    signer,
    role: str,
    typed_name: str,
    relationship: str,
    request=None,
    presented_at=None,
) -> Countersignature:
    """Record the second signature on `signature`'s document, and queue the PDF that
    carries both. Who may countersign is the caller's check (the parent's page finds
    only their own children's signatures; the loan's page only its school's loans).
    Countersigning twice (double click, back button) returns the first one."""
    from ..tasks import render_countersigned_pdf

    typed_name = " ".join((typed_name or "").split())
    if len(typed_name) < 2:
        raise ValidationError({"typed_name": "Type your full name to countersign."})
    with transaction.atomic():
        # No row lock: the runtime role may not lock evidence. The one-to-one on the
        # signature makes a second countersignature at the same moment fail instead.
        signature = Signature.objects.select_related("school", "pupil", "form").get(pk=signature.pk)
        if awaited_role(signature) != role:
            raise ValidationError("This signature does not need this countersignature.")
        existing = Countersignature.objects.filter(signature=signature).first()
        if existing is not None:
            if existing.signer_id == signer.pk:
                return existing
            raise ValidationError(f"{existing.signer_name} has already countersigned this.")
        if signature.kind != Kind.SIGNATURE or signature.superseded_by.filter(kind=Kind.WITHDRAWAL).exists():
            raise ValidationError("This signature was withdrawn, so there is nothing to countersign.")
        try:
            with transaction.atomic():
                countersignature = Countersignature.objects.create(
                    school=signature.school,
                    signature=signature,
                    role=role,
                    signer=signer,
                    signer_name=typed_name,
                    relationship=relationship,
                    signed_at=timezone.now(),
                    ip_address=client_ip(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", "")[:500] if request else "",
                    presented_at=presented_at,
                )
        except IntegrityError:
            existing = Countersignature.objects.filter(signature=signature, signer=signer).first()
            if existing is not None:
                return existing
            raise ValidationError("This has just been countersigned by someone else. Reload the page.") from None
        whom = f" for {signature.pupil.full_name}" if signature.pupil_id else ""
        audit.record(
            action="agreement.countersigned",
            actor=signer,
            school=signature.school,
            obj=signature,
            request=request,
            summary=f"Countersigned {signature.form.title}{whom} ({countersignature.get_role_display().lower()})",
        )
        render_countersigned_pdf.delay_on_commit(countersignature.pk)
    return countersignature


def stamp_lines(countersignature: Countersignature) -> list[str]:
    """What the countersignature's visible stamp says: who, as whom, when (UK time)."""
    return [
        f"{countersignature.get_role_display()}: {countersignature.signer_name}",
        countersignature.relationship,
        f"{uk_datetime(countersignature.signed_at)} (UK time)",
    ]


def _reason(countersignature: Countersignature) -> str:
    signature = countersignature.signature
    if countersignature.role == Countersignature.Role.PARENT:
        return f"Countersigned by {countersignature.signer_name}, {countersignature.relationship.lower()} of {signature.pupil.full_name}"
    return f"Countersigned by {countersignature.signer_name}, {countersignature.relationship}"


def first_document(signature: Signature) -> SignedDocument:
    """The first signer's signed PDF, made now if the worker has not made it yet."""
    from ..tasks import render_signed_pdf

    document = SignedDocument.objects.filter(signature=signature).first()
    if document is None:
        render_signed_pdf(signature.pk)  # the task's body, here: makes it once
        document = SignedDocument.objects.get(signature=signature)
    return document


def make_countersigned_document(countersignature_id: int) -> CountersignedDocument:
    """Add the countersignature to the first signer's signed PDF as an incremental
    update (its field was left open when that PDF was signed), and keep the result.
    Safe to run twice: the document is made once."""
    from core.signing import add_signature

    existing = CountersignedDocument.objects.filter(countersignature_id=countersignature_id).first()
    if existing is not None:
        return existing
    countersignature = Countersignature.objects.select_related("signature__pupil", "signature__school").get(
        pk=countersignature_id
    )
    first = first_document(countersignature.signature)
    with first.file.open("rb") as stored:
        pdf = stored.read()
    both = add_signature(
        pdf,
        field=countersignature.field_name,
        reason=_reason(countersignature),
        stamp_lines=stamp_lines(countersignature),
        signer_name=countersignature.signer_name,
    )
    document = CountersignedDocument(countersignature=countersignature, sha256=hashlib.sha256(both).hexdigest())
    code = countersignature.signature.verification_code
    document.file.save(f"{code}-countersigned-{secrets.token_hex(4)}.pdf", ContentFile(both), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.file.delete(save=False)  # another run got there first
        return CountersignedDocument.objects.get(countersignature_id=countersignature_id)
    return document
