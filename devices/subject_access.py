"""Loans of school equipment for a subject access export: each loan to the person
(or to the pupil, through a carer), what was lent and returned, and the signed receipt."""

from django.db.models import Prefetch, Q

from core.subject_access import CARER, PUPIL, STAFF, File, Part, subject_part

from .models import Loan, LoanItem


@subject_part(order=40)
def equipment_loans(subject):
    loans = Loan.objects.filter(school=subject.school)
    if subject.kind == PUPIL:
        loans = loans.filter(pupil=subject.pupil)
    elif subject.kind == CARER:
        loans = loans.filter(carer=subject.user)
    elif subject.kind == STAFF:
        loans = loans.filter(Q(borrower=subject.membership))
    else:
        return None
    loans = list(
        loans.select_related("pupil", "carer", "lent_by", "receipt_signature__document", "receipt_signature__form")
        .prefetch_related(Prefetch("items", LoanItem.objects.select_related("device").order_by("pk")))
        .order_by("created_at", "pk")
    )
    records, files = [], []
    for loan in loans:
        receipt = loan.receipt_signature
        receipt_path = None
        if receipt is not None and hasattr(receipt, "document"):
            receipt_path = f"signed/{receipt.verification_code}.pdf"
            files.append(File(receipt_path, "Loan receipt", receipt.document.file))
        records.append(
            {
                "lent_on": loan.created_at.isoformat(),
                "for_pupil": loan.pupil.full_name if loan.pupil_id else None,
                "signed_by_carer": loan.carer.full_name if loan.carer_id else None,
                "lent_by": loan.lent_by.full_name,
                "due_on": loan.due_on.isoformat() if loan.due_on else None,
                "until_leaving": loan.until_leaving,
                "notes": loan.notes,
                "cancelled_at": loan.cancelled_at.isoformat() if loan.cancelled_at else None,
                "receipt_signed_at": receipt.signed_at.isoformat() if receipt else None,
                "receipt_pdf": receipt_path,
                "items": [
                    {
                        "device": f"{item.device.get_device_type_display()} {item.device.make} {item.device.model}".strip(),
                        "serial_number": item.device.serial_number,
                        "asset_tag": item.device.asset_tag,
                        "returned_at": item.returned_at.isoformat() if item.returned_at else None,
                        "condition_on_return": item.return_condition,
                    }
                    for item in loan.items.all()
                ],
            }
        )
    return Part("equipment", "Equipment lent", records=records, files=files)
