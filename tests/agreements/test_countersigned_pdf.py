"""The countersigned PDF (issue 20): the pupil's signed PDF is certified with an empty
field for the parent; the parent's countersignature fills it as an incremental update.
One file, two valid PAdES signatures, the pupil's still valid after the parent's,
checked with pyHanko's validator (core.signing.validate_pdf)."""

import datetime
import hashlib
import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from agreements.countersigning.services import countersign
from agreements.models import CountersignedDocument, SignedDocument
from core.roles import Role
from core.signing import validate_pdf
from tests.conftest import make_member

from .countersign_helpers import publish_countersigned_ks2_form, pupil_signs_in_class, store_signed_files_in
from .pdf_helpers import pdf_text


@pytest.fixture(autouse=True)
def _files(settings, tmp_path, monkeypatch):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    store_signed_files_in(tmp_path, monkeypatch)


@pytest.fixture
def class_teacher(school, school_class):
    user = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Shah")
    school_class.teachers.add(user.memberships.get(school=school))
    return user


@pytest.fixture
def countersigned(school, head, school_class, class_teacher, pupil, parent, django_capture_on_commit_callbacks):
    form = publish_countersigned_ks2_form(school, head)
    pupil_moment = datetime.datetime(2026, 9, 14, 9, 5, tzinfo=datetime.UTC)  # 10:05 BST
    with time_machine.travel(pupil_moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        (signature,) = pupil_signs_in_class(form, school_class, class_teacher, pupil)
    parent_moment = datetime.datetime(2026, 9, 15, 18, 30, tzinfo=datetime.UTC)  # 19:30 BST
    with time_machine.travel(parent_moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        countersignature = countersign(
            signature=signature, signer=parent, role="parent", typed_name="Sarah Khan", relationship="Mother"
        )
    return signature, countersignature


def test_the_pupils_pdf_is_certified_with_an_empty_field_for_the_parent(countersigned):
    from core.signing import empty_signature_fields

    signature, _ = countersigned
    first = SignedDocument.objects.get(signature=signature).file.read()
    assert empty_signature_fields(first) == ["Parent countersignature"]
    check = validate_pdf(first)
    assert check.valid and len(check.signatures) == 1 and check.signatures[0].certification
    text = pdf_text(first)
    assert "Chain of events" in text and "Parent countersignature: added as a second digital signature" in text


def test_the_countersigned_pdf_holds_two_valid_signatures(countersigned):
    signature, countersignature = countersigned
    document = CountersignedDocument.objects.get(countersignature=countersignature)
    both = document.file.read()
    assert hashlib.sha256(both).hexdigest() == document.sha256
    first = SignedDocument.objects.get(signature=signature).file.read()
    # An incremental update: the pupil's signed file is the first part of this one, unchanged.
    assert both.startswith(first) and len(both) > len(first)
    check = validate_pdf(both)
    assert check.valid, check.sentences
    pupils, parents = check.signatures
    assert pupils.certification and pupils.intact and pupils.ours and pupils.changes_allowed
    assert pupils.changes == "form_filling"  # a signature was added after it, which it allows
    assert parents.field == "Parent countersignature" and parents.good and parents.whole_file
    assert "Sarah Khan" in parents.reason and "mother of Amelia Khan" in parents.reason


def test_the_parents_stamp_names_them_and_the_time(countersigned):
    _, countersignature = countersigned
    both = CountersignedDocument.objects.get(countersignature=countersignature).file.read()
    reader = PdfReader(io.BytesIO(both))
    fields = reader.get_fields()
    assert "Parent countersignature" in fields
    # The stamp is the field's appearance stream: the text drawn is in it.
    annotation = next(
        a.get_object() for a in reader.pages[-1]["/Annots"] if a.get_object().get("/T") == "Parent countersignature"
    )
    appearance = annotation["/AP"]["/N"].get_object().get_data()
    assert appearance  # drawn (the glyphs are subset-encoded, so the words are not plain text)


def test_a_changed_byte_in_the_countersigned_pdf_is_detected(countersigned):
    _, countersignature = countersigned
    both = bytearray(CountersignedDocument.objects.get(countersignature=countersignature).file.read())
    where = both.find(b"/Contents", len(both) // 3)
    both[where - 40] ^= 0x01
    assert not validate_pdf(bytes(both)).valid


def test_verify_recognises_the_countersigned_copy_and_the_pupils_copy(countersigned, client):
    signature, countersignature = countersigned
    for document in (
        CountersignedDocument.objects.get(countersignature=countersignature),
        SignedDocument.objects.get(signature=signature),
    ):
        upload = io.BytesIO(document.file.read())
        upload.name = "agreement.pdf"
        page = client.post(reverse("verify:verify"), {"document": upload}).content.decode()
        assert "Our ICT agreement" in page
        assert "Countersigned by a parent or carer on Tuesday 15 September 2026 at 19:30 BST" in page


def test_the_family_downloads_the_file_with_both_signatures(countersigned, parent, client_for):
    signature, countersignature = countersigned
    both = CountersignedDocument.objects.get(countersignature=countersignature).file.read()
    response = client_for(parent).get(reverse("family_sign:countersigned_pdf", args=[signature.pk]))
    assert b"".join(response.streaming_content) == both
