"""core/signing.py: the portal's PAdES signatures, checked back with pyHanko's validator;
the tampering each answer must catch; the signing key's start-up checks."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm

from core.pdf import render_pdf
from core.signing import (
    CERTIFICATION_FIELD,
    SignatureFieldError,
    Verdict,
    add_signature,
    empty_signature_fields,
    sign_pdf,
    validate_pdf,
)
from core.signing_keys import SigningKeyError, certificate_fingerprint, load_p12, make_key_material, signing_key
from tests.signing import one_byte_changed, page_altered, signature_stripped

ROOT = Path(__file__).resolve().parents[2]
HTML = "<html><head><title>Test</title></head><body><h1>An agreement</h1><p>I agree.</p></body></html>"


@pytest.fixture(scope="module")
def unsigned():
    return render_pdf(HTML)


def test_the_portal_certifies_a_pdf_allowing_only_form_filling_and_further_signatures(unsigned):
    signed = sign_pdf(unsigned, reason="Signed agreement")

    assert signed.startswith(unsigned)  # an incremental update: the rendering is untouched
    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert embedded.field_name == CERTIFICATION_FIELD
    assert embedded.docmdp_level == MDPPerm.FILL_FORMS
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    check = validate_pdf(signed)
    assert check.verdict == Verdict.VALID
    (signature,) = check.signatures
    assert signature.intact and signature.ours and signature.whole_file and signature.certification
    assert signature.fingerprint == certificate_fingerprint(signing_key().certificate)
    assert signature.reason == "Signed agreement"
    assert not signature.timestamp
    assert "No timestamp authority was used: the time is the portal's own clock." in check.sentences


def test_the_signed_file_keeps_its_pdf_a_metadata(unsigned):
    from pypdf import PdfReader

    catalog = PdfReader(io.BytesIO(sign_pdf(unsigned, reason="x"))).trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data()
    # WeasyPrint's PDF/A-3b identification survives pyHanko's rewrite of the XMP.
    assert re.search(rb'pdfaid:part(="|>)3', xmp) and re.search(rb'pdfaid:conformance(="|>)B', xmp)
    assert b"xmp:ModifyDate" in xmp  # and says when it was signed, as the Info dictionary does
    assert catalog["/OutputIntents"]


def test_with_a_timestamp_authority_the_signature_carries_a_trusted_timestamp(unsigned, timestamp_authority):
    served_before = len(timestamp_authority.requests)

    check = validate_pdf(sign_pdf(unsigned, reason="Signed agreement"))

    assert len(timestamp_authority.requests) > served_before  # over HTTP, from our client
    (signature,) = check.signatures
    assert check.verdict == Verdict.VALID
    assert signature.timestamp and signature.timestamp_valid and signature.timestamp_trusted
    assert abs((signature.timestamp_at - signature.signed_at).total_seconds()) < 60
    assert any(s.startswith("A timestamp authority confirms it existed at") for s in check.sentences)


def test_an_unreachable_timestamp_authority_fails_the_signing_rather_than_signing_without(unsigned, settings):
    settings.PDF_TSA_URL = "http://127.0.0.1:9/tsa"  # discard port: nothing listens
    with pytest.raises(Exception, match="(?i)timestamp"):
        sign_pdf(unsigned, reason="x")


def test_a_countersignature_in_an_open_field_leaves_the_first_signature_valid(unsigned, timestamp_authority):
    certified = sign_pdf(unsigned, reason="Pupil's agreement", open_fields=["Parent countersignature", "Head"])
    assert empty_signature_fields(certified) == ["Parent countersignature", "Head"]

    countersigned = add_signature(
        certified,
        field="Parent countersignature",
        reason="Countersigned by a parent",
        stamp_lines=["Sara Khan", "Parent", "Monday 2 March 2026 at 18:04 GMT"],
        signer_name="Sara Khan",
    )

    assert countersigned.startswith(certified)
    assert empty_signature_fields(countersigned) == ["Head"]
    check = validate_pdf(countersigned)
    assert check.verdict == Verdict.VALID
    first, second = check.signatures
    assert first.certification and first.intact and first.changes == "form_filling" and first.changes_allowed
    assert not first.whole_file and second.whole_file
    assert second.field == "Parent countersignature" and second.timestamp_trusted


def test_a_countersignature_needs_an_empty_field_of_that_name(unsigned):
    certified = sign_pdf(unsigned, reason="x", open_fields=["Parent countersignature"])
    with pytest.raises(SignatureFieldError):
        add_signature(certified, field="Someone else", reason="x")
    once = add_signature(certified, field="Parent countersignature", reason="x")
    with pytest.raises(SignatureFieldError):
        add_signature(once, field="Parent countersignature", reason="x")


def test_one_changed_byte_is_detected(unsigned):
    check = validate_pdf(one_byte_changed(sign_pdf(unsigned, reason="x"), where=0.3))

    assert check.verdict == Verdict.CHANGED
    assert check.headline == "The file has been changed since it was signed."
    assert not check.signatures[0].intact


def test_an_incremental_update_that_alters_a_page_is_detected(unsigned):
    altered = page_altered(sign_pdf(unsigned, reason="x"))

    check = validate_pdf(altered)

    assert check.verdict == Verdict.CHANGED
    (signature,) = check.signatures
    # The signed bytes are intact: what catches it is the check of what changed since.
    assert signature.intact and not signature.changes_allowed and signature.changes == "other"
    assert "After it was signed, the file was altered (for example a page was changed)." in check.sentences


def test_an_incremental_update_after_a_countersignature_is_detected_too(unsigned):
    certified = sign_pdf(unsigned, reason="x", open_fields=["Parent countersignature"])
    countersigned = add_signature(certified, field="Parent countersignature", reason="x")
    assert validate_pdf(page_altered(countersigned)).verdict == Verdict.CHANGED


def test_a_signature_by_another_certificate_is_not_ours(unsigned, another_signing_key):
    foreign = another_signing_key(unsigned)

    check = validate_pdf(foreign)

    assert check.verdict == Verdict.OTHER_SIGNER
    assert check.signatures[0].intact and not check.signatures[0].ours
    assert check.headline == "The file is signed, but not with the portal's certificate."


def test_a_copy_with_the_signature_stripped_carries_none(unsigned):
    check = validate_pdf(signature_stripped(sign_pdf(unsigned, reason="x")))

    assert check.verdict == Verdict.UNSIGNED
    assert check.signatures == []
    assert check.headline == "The file carries no digital signature."


def test_something_that_is_not_a_pdf_is_unreadable():
    assert validate_pdf(b"%PDF-1.7\nnot really").verdict == Verdict.UNREADABLE


def test_checking_against_a_given_certificate_needs_no_portal_key(unsigned, another_signing_key):
    foreign = another_signing_key(unsigned)
    from cryptography import x509

    certificate = PdfFileReader(io.BytesIO(foreign)).embedded_signatures[0].signer_cert
    theirs = x509.load_der_x509_certificate(certificate.dump())
    assert validate_pdf(foreign, anchors=[theirs]).verdict == Verdict.VALID


# --- keys -------------------------------------------------------------------------------


def _p12(tmp_path, password: bytes) -> Path:
    data, _ca = make_key_material()
    key, certificate, chain = pkcs12.load_key_and_certificates(data, None)
    path = tmp_path / "trust.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"trust", key, certificate, chain, serialization.BestAvailableEncryption(password)
        )
    )
    return path


def test_a_configured_pkcs12_with_its_password_signs(unsigned, tmp_path, settings):
    settings.PDF_SIGNING_P12 = str(_p12(tmp_path, b"correct horse"))
    settings.PDF_SIGNING_P12_PASSWORD = "correct horse"
    key = signing_key()
    assert key.source == "configured"
    check = validate_pdf(sign_pdf(unsigned, reason="x"))
    assert check.valid and check.signatures[0].fingerprint == certificate_fingerprint(key.certificate)


def test_a_missing_or_wrongly_unlocked_pkcs12_is_refused_plainly(tmp_path):
    with pytest.raises(SigningKeyError, match="does not exist"):
        load_p12(tmp_path / "absent.p12", "x", source="configured")
    path = _p12(tmp_path, b"correct horse")
    with pytest.raises(SigningKeyError, match="the password \\(PDF_SIGNING_P12_PASSWORD\\) is wrong") as refused:
        load_p12(path, "battery staple", source="configured")
    assert "battery" not in str(refused.value)  # the password is never repeated


def _start(code: str, **env) -> subprocess.CompletedProcess:
    """A process started as production starts (config.settings, DEBUG off)."""
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "s" * 50, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_up_stops_with_a_clear_message_when_the_pkcs12_is_missing_or_its_password_wrong(tmp_path):
    missing = _start("import django; django.setup()", PDF_SIGNING_P12=str(tmp_path / "nope.p12"), VAR_DIR=str(tmp_path))
    assert missing.returncode != 0
    assert f"The PDF signing key file {tmp_path / 'nope.p12'} (PDF_SIGNING_P12) does not exist" in missing.stderr

    path = _p12(tmp_path, b"correct horse")
    wrong = _start(
        "import django; django.setup()",
        PDF_SIGNING_P12=str(path),
        PDF_SIGNING_P12_PASSWORD="battery staple",
        VAR_DIR=str(tmp_path),
    )
    assert wrong.returncode != 0
    assert "the password (PDF_SIGNING_P12_PASSWORD) is wrong" in wrong.stderr
    assert "battery staple" not in wrong.stderr + wrong.stdout


def test_production_refuses_to_serve_without_a_key_until_one_is_made(tmp_path):
    refused = _start("import config.wsgi", VAR_DIR=str(tmp_path))
    assert refused.returncode != 0
    assert "No PDF signing key: signed PDFs cannot be made." in refused.stderr
    assert "make_signing_key" in refused.stderr

    made = _start(
        "from django.core.management import call_command; import django; django.setup(); call_command('make_signing_key')",
        VAR_DIR=str(tmp_path),
    )
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "signing" / "portal-signing.p12").stat().st_mode & 0o077 == 0  # owner only

    served = _start("import config.wsgi; print('started')", VAR_DIR=str(tmp_path))
    assert served.returncode == 0, served.stderr
    assert "started" in served.stdout
