"""A signed agreement's PDF carries the portal's PAdES signature, and /verify/ reads it:
the file as issued, a changed copy (one byte; a page altered in an appended update),
a copy signed by another certificate and a copy with its signature stripped each get
their own answer; a validly signed copy our records do not hold still names its agreement."""

import datetime
import hashlib

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from core.signing import Verdict, add_signature, sign_pdf, validate_pdf
from core.signing_keys import certificate_fingerprint, signing_key
from tests.signing import first_revision, one_byte_changed, page_altered, signature_stripped

from .pdf_helpers import pdf_text, private_media, published_staff_form, sign  # noqa: F401

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def signed(school, parent, pupil, django_capture_on_commit_callbacks, timestamp_authority):
    form = published_staff_form(school)
    moment = datetime.datetime(2026, 3, 2, 8, 15, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=True), django_capture_on_commit_callbacks(execute=True):
        return sign(form, parent, typed_name="Sara Jane Khan", method="for_child", pupil=pupil)


@pytest.fixture
def pdf(signed):
    return signed.document.file.read()


def upload(client, data: bytes):
    return client.post("/verify/", {"document": SimpleUploadedFile("a.pdf", data, content_type="application/pdf")})


def test_the_signed_agreement_pdf_is_signed_by_the_configured_certificate_with_a_timestamp(signed, pdf):
    assert signed.document.sha256 == hashlib.sha256(pdf).hexdigest()  # the hash of the signed bytes
    check = validate_pdf(pdf)
    assert check.verdict == Verdict.VALID
    (signature,) = check.signatures
    assert signature.fingerprint == certificate_fingerprint(signing_key().certificate)
    assert signature.timestamp and signature.timestamp_trusted
    assert signed.verification_code in signature.reason
    assert "Its time is certified by an independent timestamp authority." in " ".join(pdf_text(pdf).split())


def test_the_file_as_issued_is_issued_and_its_signature_described(client, pdf):
    page = upload(client, pdf).content.decode()

    assert "This is a document the portal issued, and it is unchanged" in page
    assert "What the digital signature shows" in page
    assert "digital signature is valid" in page
    assert "A timestamp authority confirms it existed at" in page


def test_a_one_byte_change_is_a_changed_file(client, pdf):
    page = upload(client, one_byte_changed(pdf, where=0.4)).content.decode()

    assert "This file has been changed since it was signed" in page
    assert "S. J. K." not in page and "Oakfield Primary School" not in page


def test_a_page_altered_in_an_appended_update_is_a_changed_file(client, pdf):
    page = upload(client, page_altered(pdf)).content.decode()

    assert "This file has been changed since it was signed" in page
    assert "the file was altered (for example a page was changed)" in page
    assert "S. J. K." not in page


def test_a_copy_signed_with_another_certificate_is_not_the_portals(client, pdf, another_signing_key):
    foreign = another_signing_key(signature_stripped(pdf))

    page = upload(client, foreign).content.decode()

    assert "This file was not signed by the portal" in page
    assert "is not the portal&#x27;s certificate" in page
    assert "S. J. K." not in page


def test_a_copy_with_its_signature_stripped_has_none(client, pdf):
    page = upload(client, signature_stripped(pdf)).content.decode()

    assert "This file has no digital signature" in page
    assert "S. J. K." not in page


def test_a_validly_signed_copy_not_in_our_records_names_its_agreement(client, pdf):
    # A later revision (a countersignature in an open field) is not the stored file.
    certified = sign_pdf(first_revision(pdf), reason="x", open_fields=["Parent countersignature"])
    countersigned = add_signature(certified, field="Parent countersignature", reason="Countersigned")

    page = upload(client, countersigned).content.decode()

    assert "The portal signed this document, and it is unchanged since" in page
    assert "S. J. K." in page and "Oakfield Primary School" in page


def test_a_pdf_issued_unsigned_before_signing_began_is_still_recognised_by_its_hash(client, school, parent, pupil, pdf):
    from agreements.models import SignedDocument

    older = sign(published_staff_form(school, title="Older form"), parent, typed_name="Sara Jane Khan")
    unsigned = first_revision(pdf)
    SignedDocument.objects.create(signature=older, sha256=hashlib.sha256(unsigned).hexdigest(), file="old.pdf")

    page = upload(client, unsigned).content.decode()

    assert "This is a document the portal issued, and it is unchanged" in page
    assert "issued before the portal signed its PDFs digitally" in page


def test_an_unsigned_copy_not_in_our_records_is_neither(client, pdf):
    page = upload(client, first_revision(pdf)).content.decode()

    assert "This file has no digital signature" in page
