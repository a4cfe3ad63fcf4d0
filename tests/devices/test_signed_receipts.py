"""Loan receipts and returns are signed PDFs like any agreement: each carries the
portal's PAdES signature, with a timestamp when an authority is configured."""

import io

from pypdf import PdfReader

from agreements.tasks import render_signed_pdf
from core.signing import Verdict, validate_pdf
from core.signing_keys import certificate_fingerprint, signing_key
from devices import services as device_services

from .conftest import lend_to, sign_for


def _document(signature) -> bytes:
    render_signed_pdf(signature.pk)
    signature.refresh_from_db()
    return signature.document.file.read()


def test_a_loan_receipt_and_its_return_are_signed_and_timestamped(
    school, office, borrower, conditions, laptop, timestamp_authority
):
    loan = lend_to(school, office, borrower, [laptop])
    receipt = _document(sign_for(loan))
    returned = _document(
        device_services.receive_return(
            loan=loan,
            received_by=office,
            returns={loan.items.get().pk: {}},
            typed_name="Priya Sharma",
            statements_agreed=[s.number for s in conditions.statements.all()],
            submission_key="return-signed",
        )
    )

    ours = certificate_fingerprint(signing_key().certificate)
    for pdf, what in ((receipt, "Receipt of equipment on loan"), (returned, "Return of equipment on loan")):
        check = validate_pdf(pdf)
        assert check.verdict == Verdict.VALID
        (signature,) = check.signatures
        assert signature.fingerprint == ours and signature.timestamp_trusted
        assert signature.reason.startswith(what)
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "Its time is certified by an independent timestamp authority." in " ".join(text.split())
