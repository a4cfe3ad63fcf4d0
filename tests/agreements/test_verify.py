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
    assert "This file has been changed since it was signed" in page
    assert "This is a document the portal issued" not in page
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
    # The limit counts in fixed windows of time: keep all the checks inside one, or a
    # slow run that crosses into the next window starts counting again.
    with time_machine.travel(datetime.datetime(2026, 12, 4, 9, 0, 30, tzinfo=datetime.UTC), tick=False):
        for _ in range(20):
            assert client.get("/verify/", {"code": signed.verification_code}).status_code == 200
        response = client.get("/verify/", {"code": signed.verification_code})
        assert upload(client, b"%PDF-1.7\n").status_code == 429
        other = client.get("/verify/", {"code": signed.verification_code}, REMOTE_ADDR="10.0.0.9")

    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    page = response.content.decode()
    assert "Too many checks from your connection" in page
    assert "ICT acceptable use" not in page
    # Uploads count too (above), and another address is not affected.
    assert other.status_code == 200


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


# --- Each kind of signature is described as what it is ------------------------------------


def _verified(client, signature) -> str:
    return client.get("/verify/", {"code": signature.verification_code}).content.decode()


def _all_numbers(form):
    return [s.number for s in form.statements.all()]


def test_a_parents_signature_for_their_child_says_so(client, signed):
    page = _verified(client, signed)

    assert "Signed in the portal by a parent or carer, for their child" in page
    assert "Signer&#x27;s initials" in page


def test_a_staff_members_own_signature_is_signed_by_the_person_themselves(client, school, teacher):
    signature = sign(published_staff_form(school), teacher, typed_name="Pat Jones")

    page = _verified(client, signature)

    assert "Signed in the portal by the person themselves" in page
    assert "parent or carer" not in page


def test_a_pupils_own_signature_in_a_class_session_is_not_a_parents(client, school, head, school_class, pupil):
    from agreements import class_sessions as cs
    from aup.models import Audience
    from tests.agreements.signing_helpers import publish_form_for

    form = publish_form_for(school, head, Audience.KS2)
    session, _ = cs.open_kiosk_session(form=form, school_class=school_class, led_by=head)
    cs.record_entry(session=session, pupil=pupil, typed_name="Amelia Khan", statements_agreed=_all_numbers(form))
    (signature,) = cs.confirm_session(session=session, by=head)

    page = _verified(client, signature)

    assert "Signed by a pupil, for themselves, in a class session led by their teacher" in page
    assert "parent or carer" not in page
    assert "A. K." in page and "Amelia" not in page


def test_a_form_read_aloud_says_the_pupil_did_not_sign(client, school, head):
    from agreements import class_sessions as cs
    from aup.models import Audience
    from tests.agreements.signing_helpers import publish_form_for
    from tests.factories import PupilFactory, SchoolClassFactory, year_group

    infants = SchoolClassFactory(school=school, name="Acorn", year_group=year_group(school, "1"))
    ada = PupilFactory(school=school, school_class=infants, first_name="Ada", last_name="Lee")
    form = publish_form_for(school, head, Audience.EYFS_KS1)
    cs.record_read_aloud(
        form=form, school_class=infants, led_by=head, held_on=datetime.date.today(), present_pupil_ids=[ada.pk]
    )

    page = _verified(client, ada.signatures.get())

    assert "Read aloud to a pupil in class by their teacher (the pupil did not sign)" in page
    assert "Pupil&#x27;s initials" in page and "A. L." in page
    assert "parent or carer" not in page


@pytest.mark.parametrize(
    ("audience", "described"),
    [
        ("staff", "Signed on paper by the person themselves; recorded by the school office"),
        ("parents", "Signed on paper by a parent or carer, for their child; recorded by the school office"),
        ("ks2", "Signed on paper by a pupil, for themselves; recorded by the school office"),
        ("eyfs_ks1", "A pupil&#x27;s paper form, recorded by the school office"),
    ],
)
def test_a_paper_form_says_who_signed_it_on_paper_and_that_the_office_recorded_it(
    client, school, head, office, teacher, pupil, audience, described
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agreements import paper
    from tests.agreements.signing_helpers import publish_form_for
    from tests.factories import PupilFactory, SchoolClassFactory, year_group

    form = publish_form_for(school, head, audience)
    who = {"signer": teacher} if audience == "staff" else {"pupil": pupil}
    if audience == "eyfs_ks1":
        infants = SchoolClassFactory(school=school, name="Acorn", year_group=year_group(school, "1"))
        who = {"pupil": PupilFactory(school=school, school_class=infants)}
    signature = paper.record_paper_form(
        form=form,
        recorded_by=office,
        typed_name="Sam Jones",
        signed_on=datetime.date.today(),
        scan=SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n%%EOF\n"),
        submission_key=f"paper-{audience}",
        **who,
    )

    page = _verified(client, signature)

    assert described in page
    if audience in ("staff", "ks2", "eyfs_ks1"):
        assert "parent or carer" not in page


def test_a_visitors_signature_at_reception_says_so(client, school, head, office):
    from agreements import reception
    from aup.models import Audience
    from tests.agreements.signing_helpers import publish_form_for

    form = publish_form_for(school, head, Audience.VISITORS)
    kiosk, _ = reception.open_reception_kiosk(school=school, opened_by=office)
    signature = reception.sign_at_reception(
        kiosk=kiosk,
        typed_name="Dev Mistry",
        visiting="Mrs Patel",
        statements_agreed=_all_numbers(form),
        submission_key="visitor-1",
    )

    page = _verified(client, signature)

    assert "Signed at the school&#x27;s reception by a visitor" in page
    assert "parent or carer" not in page
