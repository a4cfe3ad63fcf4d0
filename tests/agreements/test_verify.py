"""/verify/: anyone can check a code or a PDF; the page shows initials, never names."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements.verify import initials, normalise_code

from .pdf_helpers import private_media, published_staff_form, sign  # noqa: F401

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def signed(school, parent, pupil, django_capture_on_commit_callbacks):
    form = published_staff_form(school)
    moment = datetime.datetime(2026, 3, 2, 8, 15, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        return sign(form, parent, typed_name="Sara Jane Khan", method="for_child", pupil=pupil)


@pytest.fixture
def pdf_bytes(signed):
    return signed.document.file.read()


def upload(client, data: bytes, name="agreement.pdf", **extra):
    return client.post(
        "/verify/", {"document": SimpleUploadedFile(name, data, content_type="application/pdf")}, **extra
    )


def test_the_verify_page_needs_no_sign_in(client, db):
    response = client.get("/verify/")

    assert response.status_code == 200
    assert "Check a signed agreement" in response.content.decode()


def test_the_exact_pdf_is_recognised_as_issued_and_unchanged(client, pdf_bytes):
    response = upload(client, pdf_bytes)

    page = response.content.decode()
    assert response.status_code == 200
    assert "This is a document the portal issued, and it is unchanged" in page
    assert "Oakfield Primary School" in page
    assert "ICT acceptable use, version 3" in page
    assert "Monday 2 March 2026 at 08:15 GMT" in page
    assert "S. J. K." in page


def test_a_one_byte_change_is_not_a_document_we_issued(client, pdf_bytes):
    changed = bytearray(pdf_bytes)
    middle = len(changed) // 2
    changed[middle] = (changed[middle] + 1) % 256

    response = upload(client, bytes(changed))

    page = response.content.decode()
    assert "This is not a document we issued, or it has been changed" in page
    assert "Oakfield Primary School" not in page


def test_the_code_is_recognised_as_issued(client, signed):
    response = client.get("/verify/", {"code": signed.verification_code})

    page = response.content.decode()
    assert "Issued: this code belongs to a signed agreement" in page
    assert "ICT acceptable use, version 3" in page
    assert "S. J. K." in page


def test_the_code_may_be_typed_in_lower_case_with_spaces(client, signed):
    typed = signed.verification_code.replace("-", " ").lower()

    response = client.get("/verify/", {"code": typed})

    assert "Issued: this code belongs to a signed agreement" in response.content.decode()


def test_an_unknown_code_is_not_one_we_issued(client, signed):
    other = "2345-6789-ABCD" if signed.verification_code != "2345-6789-ABCD" else "3456-789A-BCDE"

    response = client.get("/verify/", {"code": other})

    page = response.content.decode()
    assert "This code is not one we issued" in page
    assert "Oakfield" not in page


def test_a_code_of_the_wrong_shape_is_explained(client, db):
    response = client.get("/verify/", {"code": "hello"})

    assert response.status_code == 400
    assert "A verification code is 12 letters and numbers" in response.content.decode()


@pytest.mark.parametrize("how", ["code", "upload"])
def test_the_page_shows_initials_never_the_signers_or_childs_name(client, signed, pdf_bytes, how):
    if how == "code":
        response = client.get("/verify/", {"code": signed.verification_code})
    else:
        response = upload(client, pdf_bytes)

    page = response.content.decode()
    assert "S. J. K." in page
    for name in ("Sara", "Khan", "Amelia", signed.signer.email):
        assert name not in page


def test_a_file_that_is_not_a_pdf_is_refused_by_its_content(client, db):
    response = upload(client, b"\x89PNG\r\n\x1a\n" + b"0" * 100, name="agreement.pdf")

    assert response.status_code == 400
    assert "The file is not a PDF" in response.content.decode()


def test_a_file_over_10_mb_is_refused(client, db):
    response = upload(client, b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))

    assert response.status_code == 400
    assert "larger than 10 MB" in response.content.decode()


def test_checks_are_rate_limited_per_address(client, signed):
    for _ in range(20):
        assert client.get("/verify/", {"code": signed.verification_code}).status_code == 200

    response = client.get("/verify/", {"code": signed.verification_code})

    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    page = response.content.decode()
    assert "Too many checks from your connection" in page
    assert "ICT acceptable use" not in page
    # Uploads count too, and another address is not affected.
    assert upload(client, b"%PDF-1.7\n").status_code == 429
    assert client.get("/verify/", {"code": signed.verification_code}, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_limit_resets_after_ten_minutes(client, signed):
    start = datetime.datetime(2026, 3, 2, 9, 0, 30, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(21):
            response = client.get("/verify/", {"code": signed.verification_code})
        assert response.status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        assert client.get("/verify/", {"code": signed.verification_code}).status_code == 200


def test_just_opening_the_page_does_not_count(client, db):
    for _ in range(25):
        assert client.get("/verify/").status_code == 200


def test_a_corrected_or_withdrawn_signature_says_so(client, signed):
    from agreements.models import Signature

    Signature.objects.create(
        school=signed.school,
        form=signed.form,
        text=signed.text,
        kind="withdrawal",
        method=signed.method,
        signer=signed.signer,
        signer_name=signed.signer_name,
        pupil=signed.pupil,
        academic_year=signed.academic_year,
        signed_at=signed.signed_at,
        supersedes=signed,
        submission_key="withdrawal-1",
    )

    response = client.get("/verify/", {"code": signed.verification_code})

    assert "A later record has corrected or withdrawn this agreement" in response.content.decode()


def test_initials_and_codes():
    assert initials("Sara Jane Khan") == "S. J. K."
    assert initials("Jean-Luc  O'Neill") == "J. L. O."
    assert normalise_code(" abcd-efgh-jkmn ") == "ABCD-EFGH-JKMN"
    assert normalise_code("ABCDEFGHJKMN") == "ABCD-EFGH-JKMN"
    assert normalise_code("ABCD-EFGH-JKM0") is None  # 0 is never used
