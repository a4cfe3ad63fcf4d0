"""A consent record's PDF carries the portal's PAdES signature; the hash on record is of
the signed file."""

import hashlib

from consent.tasks import render_consent_pdf
from core.signing import Verdict, validate_pdf
from core.signing_keys import certificate_fingerprint, signing_key

from ..agreements.pdf_helpers import pdf_text
from .helpers import answer, published_form


def test_the_consent_pdf_is_signed_by_the_portal(school, head, pupil, parent, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    record = answer(parent, pupil, published_form(school, head), "signed-pdf", website=True)[0]

    render_consent_pdf(record.pk)
    record.refresh_from_db()
    pdf = record.document.file.read()

    assert record.document.sha256 == hashlib.sha256(pdf).hexdigest()
    check = validate_pdf(pdf)
    assert check.verdict == Verdict.VALID
    (signature,) = check.signatures
    assert signature.fingerprint == certificate_fingerprint(signing_key().certificate)
    assert record.verification_code in signature.reason
    assert not signature.timestamp
    flat = " ".join(pdf_text(pdf).split())
    assert "No timestamp authority was used: the signing time is the portal's own clock." in flat
