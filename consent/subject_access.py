"""Photo consent for a subject access export: every consent record (the history, not
only the latest answers) by or about the person, with its signed PDF, and phone
permission requests."""

from django.db.models import Prefetch

from core.subject_access import CARER, PUPIL, File, Part, subject_part

from .models import ConsentPurpose, ConsentRecord, PhonePermission


@subject_part(order=30)
def photo_consent(subject):
    records = ConsentRecord.objects.filter(school=subject.school)
    phones = PhonePermission.objects.filter(school=subject.school)
    if subject.kind == PUPIL:
        records, phones = records.filter(pupil=subject.pupil), phones.filter(pupil=subject.pupil)
    elif subject.kind == CARER:
        records, phones = records.filter(carer=subject.user), phones.filter(carer=subject.user)
    else:
        return None
    records = list(
        records.select_related("pupil", "form", "document")
        .prefetch_related(Prefetch("form__purposes", ConsentPurpose.objects.order_by("order", "pk")))
        .order_by("signed_at", "pk")
    )
    rows, files = [], []
    for record in records:
        labels = {p.code: p.label for p in record.form.purposes.all()}
        path = None
        if hasattr(record, "document"):
            path = f"consent/{record.verification_code}.pdf"
            files.append(File(path, "Consent record", record.document.file))
        rows.append(
            {
                "type": "photo consent",
                "for_pupil": record.pupil.full_name,
                "signed_by": record.signer_name,
                "signed_at": record.signed_at.isoformat(),
                "answers": {
                    labels.get(code, code): ("yes" if value else "no") for code, value in record.answers.items()
                },
                "replaces_earlier_record": record.supersedes_id is not None,
                "ip_address": record.ip_address,
                "user_agent": record.user_agent,
                "verification_code": record.verification_code,
                "consent_pdf": path,
            }
        )
    for phone in phones.select_related("pupil").order_by("signed_at", "pk"):
        rows.append(
            {
                "type": "mobile phone request",
                "for_pupil": phone.pupil.full_name,
                "signed_by": phone.signer_name,
                "signed_at": phone.signed_at.isoformat(),
                "reason": phone.reason,
                "status": phone.get_status_display(),
            }
        )
    return Part("consent", "Photo consent and phone requests", records=rows, files=files)
