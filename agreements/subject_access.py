"""Signed agreements for a subject access export: every signature by or for the
person at this school, with its signed PDF."""

from django.db.models import Q

from core.subject_access import CARER, PUPIL, STAFF, File, Part, subject_part

from .models import Signature


def signature_files(signatures) -> list[File]:
    """The signed PDF of each signature that has one (a PDF still being made is left
    out; the JSON lists the signature either way)."""
    return [
        File(f"signed/{s.verification_code}.pdf", f"Signed: {s.form.full_title}", s.document.file)
        for s in signatures
        if hasattr(s, "document")
    ]


@subject_part(order=20)
def signed_agreements(subject):
    signatures = Signature.objects.filter(school=subject.school)
    if subject.kind == PUPIL:
        signatures = signatures.filter(pupil=subject.pupil)
    elif subject.kind in (CARER, STAFF):
        signatures = signatures.filter(Q(signer=subject.user))
    else:
        return None
    signatures = list(
        signatures.select_related("form__version__policy", "pupil", "led_by", "document").order_by("signed_at", "pk")
    )
    records = [
        {
            "form": s.form.full_title,
            "policy_version": s.form.version.number,
            "kind": s.get_kind_display(),
            "how": s.how,
            "signed_by": s.signer_name,
            "for_pupil": s.pupil.full_name if s.pupil_id else None,
            "signed_at": s.signed_at.isoformat(),
            "academic_year": s.academic_year,
            "statements_agreed": s.statements_agreed,
            "ip_address": s.ip_address,
            "user_agent": s.user_agent,
            "verification_code": s.verification_code,
            "signed_pdf": f"signed/{s.verification_code}.pdf" if hasattr(s, "document") else None,
        }
        for s in signatures
    ]
    return Part("agreements", "Signed agreements", records=records, files=signature_files(signatures))
