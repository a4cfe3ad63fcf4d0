"""Writes: an approval signature (evidence), and the signed approval PDF after each."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core import audit
from core.audit import client_ip
from core.pdf import digital_signature_note, render_signed_pdf, uk_date, uk_datetime

from ..models import ApprovalDocument, ApprovalSignature, PolicyVersion, VersionStatus

CHAIR, HEAD = ApprovalSignature.Role.CHAIR, ApprovalSignature.Role.HEAD
HEAD_FIELD = "Headteacher countersignature"
_SIGNED_STATUSES = (VersionStatus.APPROVED, VersionStatus.PUBLISHED)


def next_role(version: PolicyVersion) -> str | None:
    """Whose signature the approval needs next: the chair's, then the head's; None when
    both have signed or the approval is not recorded yet."""
    if version.status not in _SIGNED_STATUSES or version.policy.school_id is None:
        return None
    signed = set(version.approval_signatures.values_list("role", flat=True))
    if CHAIR not in signed:
        return CHAIR
    if HEAD not in signed:
        return HEAD
    return None


def sign_approval(*, version: PolicyVersion, role: str, signer, typed_name: str, request=None) -> ApprovalSignature:
    """The chair (first) or the head (second) signs the version's approval; the signed
    PDF is made on commit. Signing twice returns the first signature."""
    from ..tasks import render_approval_pdf

    typed_name = " ".join((typed_name or "").split())
    if len(typed_name) < 2:
        raise ValidationError({"typed_name": "Type your full name to sign."})
    # Checked on the row as it is now, not on the caller's copy.
    version = PolicyVersion.objects.select_related("policy__school").get(pk=version.pk)
    existing = ApprovalSignature.objects.filter(version=version, role=role).first()
    if existing is not None and existing.signer_id == signer.pk:
        return existing
    if next_role(version) != role:
        if role == HEAD and not version.approval_signatures.filter(role=CHAIR).exists():
            raise ValidationError("The chair of governors signs the approval first.")
        raise ValidationError("This approval does not need this signature now.")
    if role == HEAD:
        chair = version.approval_signatures.get(role=CHAIR)
        if chair.signer_id == signer.pk:
            raise ValidationError("The headteacher's signature must be someone other than the chair's.")
    try:
        with transaction.atomic():
            signature = ApprovalSignature.objects.create(
                version=version,
                role=role,
                signer=signer,
                signer_name=typed_name,
                signed_at=timezone.now(),
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:500] if request else "",
            )
            audit.record(
                action="policy.approval_signed",
                actor=signer,
                school=version.policy.school,
                obj=version,
                request=request,
                summary=f"Signed the approval of {version} as {signature.get_role_display().lower()}",
            )
            render_approval_pdf.delay_on_commit(version.pk)
    except IntegrityError:
        raise ValidationError("This approval has just been signed. Reload the page.") from None
    return signature


def _approval_html(version: PolicyVersion, chair: ApprovalSignature) -> str:
    policy = version.policy
    return render_to_string(
        "aup/approval_pdf.html",
        {
            "school": policy.school,
            "policy": policy,
            "version": version,
            "changes": version.change_log.all(),
            "chair": chair,
            "chair_signed_at": uk_datetime(chair.signed_at),
            "approved_on": uk_date(version.approved_on) if version.approved_on else "",
            "issued_at": uk_datetime(timezone.now()),
            "head_field": HEAD_FIELD,
            "digital_signature_note": digital_signature_note(),
        },
    )


def _store(version, count: int, pdf: bytes) -> ApprovalDocument:
    document = ApprovalDocument(version=version, signature_count=count, sha256=hashlib.sha256(pdf).hexdigest())
    name = f"approval-{version.pk}-{count}-{secrets.token_hex(4)}.pdf"
    document.file.save(name, ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.file.delete(save=False)  # another run got there first
        return ApprovalDocument.objects.get(version=version, signature_count=count)
    return document


def make_approval_documents(version_id: int) -> ApprovalDocument | None:
    """The signed approval PDF for each signature made so far: the chair's (a
    certification signature with the head's field left open), then the head's added
    into that field. Safe to run twice: each stage is made once. The latest, or None."""
    from core.signing import add_signature

    version = PolicyVersion.objects.select_related("policy__school").get(pk=version_id)
    signatures = {s.role: s for s in version.approval_signatures.all()}
    documents = {d.signature_count: d for d in version.approval_documents.all()}
    chair, head = signatures.get(CHAIR), signatures.get(HEAD)
    if chair is not None and 1 not in documents:
        pdf = render_signed_pdf(
            _approval_html(version, chair),
            reason=f"Approved by the chair of governors, {chair.signer_name}",
            open_fields=[HEAD_FIELD],
        )
        documents[1] = _store(version, 1, pdf)
    if head is not None and 2 not in documents:
        with documents[1].file.open("rb") as stored:
            first = stored.read()
        pdf = add_signature(
            first,
            field=HEAD_FIELD,
            reason=f"Countersigned by the headteacher, {head.signer_name}",
            signer_name=head.signer_name,
            stamp_lines=[
                f"Headteacher: {head.signer_name}",
                "Countersigned the governing body's approval",
                f"{uk_datetime(head.signed_at)} (UK time)",
            ],
        )
        documents[2] = _store(version, 2, pdf)
    return documents.get(2) or documents.get(1)
