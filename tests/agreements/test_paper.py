"""The office records a paper form signed on a date, with the scan attached."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements import paper
from agreements.models import Method, PaperScan, Signature
from agreements.pdf import signed_pdf_html
from core.models import AuditEvent
from core.roles import Role
from tests.agreements.pdf_helpers import STATEMENTS, pdf_text, published_staff_form
from tests.conftest import make_member

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def published_parents_form(school):
    from agreements.models import FormText
    from aup.models import AgreementForm, Policy, PolicyVersion, Statement
    from tests.factories import UserFactory

    policy = Policy.objects.create(school=school, title="Pupils' ICT use")
    version = PolicyVersion.objects.create(policy=policy, number=1, status="published", created_by=UserFactory())
    form = AgreementForm.objects.create(version=version, audience="parents", title="Parents' agreement")
    for number, text in enumerate(STATEMENTS[:2], start=1):
        Statement.objects.create(form=form, number=number, text=text)
    canonical = form.canonical_text()
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    FormText.objects.get_or_create(sha256=digest, defaults={"text": canonical})
    AgreementForm.objects.filter(pk=form.pk).update(text_sha256=digest)
    form.refresh_from_db()
    return form


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def staff_form(school):
    return published_staff_form(school)


@pytest.fixture
def parents_form(school):
    return published_parents_form(school)


def _url(school):
    return reverse("agreements:paper", kwargs={"school_slug": school.slug})


def _post(client, school, *, content=PDF, name="scan.pdf", key="paper-1", **fields):
    data = {"typed_name": "Sam Jones", "signed_on": "02/03/2026", "submission_key": key, **fields}
    data["scan"] = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(_url(school), data)


def _member_of(school, user):
    return user.memberships.get(school=school)


def test_office_records_a_staff_members_paper_form_with_its_scan(school, office, teacher, staff_form, client_for):
    client = client_for(office)
    response = _post(client, school, agreement=staff_form.pk, staff_member=_member_of(school, teacher).pk)
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.method == Method.PAPER
    assert signature.signer == teacher
    assert signature.led_by == office
    assert signature.pupil is None
    assert signature.signer_name == "Sam Jones"
    assert signature.statements_agreed == [1, 2, 3]
    assert timezone.localdate(signature.signed_at) == datetime.date(2026, 3, 2)
    scan = PaperScan.objects.get(signature=signature)
    assert scan.content_type == "application/pdf"
    assert scan.uploaded_by == office
    assert scan.file.read() == PDF
    assert AuditEvent.objects.filter(action="agreement.paper_recorded", actor=office).exists()
    page = client.get(_url(school))
    assert "Sam Jones" in page.content.decode()


def test_office_records_a_parents_paper_form_for_a_pupil(school, office, pupil, parents_form, client_for):
    response = _post(
        client_for(office), school, agreement=parents_form.pk, pupil=pupil.pk, typed_name="Nadia Khan", content=PNG
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.pupil == pupil
    assert signature.signer is None
    assert signature.signer_name == "Nadia Khan"
    assert signature.statements_agreed == [1, 2]
    assert signature.paper_scan.content_type == "image/png"


def test_office_records_a_ks2_pupils_paper_form_with_its_scan(school, head, office, pupil, client_for):
    from agreements.selectors import pupil_signatures
    from aup.models import Audience
    from tests.agreements.signing_helpers import publish_form_for

    ks2_form = publish_form_for(school, head, Audience.KS2)
    client = client_for(office)
    assert "pupils&#x27; form (key stage 2)" in client.get(_url(school)).content.decode()

    today = timezone.localdate().strftime("%d/%m/%Y")  # in this school year: the contract is signed every year
    response = _post(
        client, school, agreement=ks2_form.pk, pupil=pupil.pk, typed_name="Amelia Khan", content=JPEG, signed_on=today
    )

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.method == Method.PAPER and signature.form == ks2_form
    assert signature.pupil == pupil and signature.signer is None and signature.led_by == office
    assert signature.signer_name == "Amelia Khan"
    assert signature.paper_scan.content_type == "image/jpeg"
    assert signature.how == f"Signed on paper by Amelia Khan, the pupil; recorded by {office.full_name}"
    assert (ks2_form.pk, pupil.pk) in pupil_signatures([ks2_form])  # the pupil is no longer outstanding
    recent = client.get(_url(school)).content.decode()
    assert '<td data-label="Form">ICT acceptable use, version 1: pupils&#x27; form (key stage 2)</td>' in recent


def test_office_records_an_eyfs_pupils_paper_form_with_its_scan(school, head, office, client_for):
    from aup.models import Audience
    from tests.agreements.signing_helpers import publish_form_for
    from tests.factories import PupilFactory, SchoolClassFactory, year_group

    infants = SchoolClassFactory(school=school, name="Acorn", year_group=year_group(school, "R"))
    ada = PupilFactory(school=school, school_class=infants, first_name="Ada", last_name="Lee")
    eyfs_form = publish_form_for(school, head, Audience.EYFS_KS1)

    response = _post(client_for(office), school, agreement=eyfs_form.pk, pupil=ada.pk, typed_name="Ada Lee")

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.pupil == ada and signature.signer is None and signature.form == eyfs_form
    assert signature.paper_scan.content_type == "application/pdf"
    assert signature.how == f"Paper form of Ada Lee, a pupil; recorded by {office.full_name}"


def test_a_pupils_paper_form_needs_a_pupil_of_its_key_stages(school, head, office, pupil, client_for):
    from aup.models import Audience
    from tests.agreements.signing_helpers import publish_form_for

    eyfs_form = publish_form_for(school, head, Audience.EYFS_KS1)  # Amelia is in key stage 2
    client = client_for(office)

    no_pupil = _post(client, school, agreement=eyfs_form.pk, typed_name="Ada Lee")
    wrong_pupil = _post(client, school, agreement=eyfs_form.pk, pupil=pupil.pk, typed_name="Amelia Khan", key="p-2")

    assert no_pupil.status_code == 400 and "Choose the pupil the form is for." in no_pupil.content.decode()
    assert wrong_pupil.status_code == 400
    assert "This pupil does not sign the pupils&#x27; form (early years and key stage 1)." in (
        wrong_pupil.content.decode()
    )
    assert not Signature.objects.exists() and not PaperScan.objects.exists()


def test_the_signed_pdf_says_the_paper_form_was_recorded_by_the_office_member(
    school, office, teacher, staff_form, client_for
):
    _post(client_for(office), school, agreement=staff_form.pk, staff_member=_member_of(school, teacher).pk)
    html = signed_pdf_html(Signature.objects.get())
    assert "Paper form recorded by the office" in html
    assert "Recorded by" in html
    assert office.full_name in html


def test_the_signed_pdf_is_made_on_commit_for_a_parents_paper_form(
    school, office, pupil, parents_form, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _post(client_for(office), school, agreement=parents_form.pk, pupil=pupil.pk, typed_name="Nadia Khan")
    text = " ".join(pdf_text(Signature.objects.get().document.file.read()).split())
    assert "Paper form recorded by the office" in text
    assert office.full_name in text
    assert "Nadia Khan" in text
    assert pupil.full_name in text


def test_a_scan_is_accepted_by_its_content_whatever_its_name(school, office, teacher, staff_form, client_for):
    response = _post(
        client_for(office),
        school,
        agreement=staff_form.pk,
        staff_member=_member_of(school, teacher).pk,
        content=JPEG,
        name="scan.pdf",
    )
    assert response.status_code == 302
    assert PaperScan.objects.get().content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"This is just text pretending to be a PDF.", "scan.pdf"),
        (b"<html><script>alert(1)</script></html>", "scan.png"),
        (b"", "scan.jpg"),
        (b"GIF89a" + b"\x00" * 20, "scan.gif"),
    ],
)
def test_a_fake_scan_is_refused_beside_the_field_and_nothing_is_saved(
    content, name, school, office, teacher, staff_form, client_for
):
    response = _post(
        client_for(office),
        school,
        agreement=staff_form.pk,
        staff_member=_member_of(school, teacher).pk,
        content=content,
        name=name,
    )
    assert response.status_code == 400
    assert "scan" in response.context["form"].errors
    assert "PDF, PNG or JPEG" in response.content.decode()
    assert not Signature.objects.exists()
    assert not PaperScan.objects.exists()


def test_a_scan_over_10_mb_is_refused(school, office, teacher, staff_form, client_for):
    big = PDF + b"0" * (paper.MAX_SCAN_BYTES)
    response = _post(
        client_for(office), school, agreement=staff_form.pk, staff_member=_member_of(school, teacher).pk, content=big
    )
    assert response.status_code == 400
    assert "scan" in response.context["form"].errors
    assert not Signature.objects.exists()


def test_a_date_in_the_future_is_refused(school, office, teacher, staff_form, client_for):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    response = _post(
        client_for(office),
        school,
        agreement=staff_form.pk,
        staff_member=_member_of(school, teacher).pk,
        signed_on=tomorrow,
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.context["form"].errors["signed_on"][0]
    assert not Signature.objects.exists()


def test_a_staff_form_needs_a_staff_member_and_a_parents_form_a_pupil(
    school, office, staff_form, parents_form, client_for
):
    client = client_for(office)
    response = _post(client, school, agreement=staff_form.pk)
    assert "staff_member" in response.context["form"].errors
    response = _post(client, school, agreement=parents_form.pk)
    assert "pupil" in response.context["form"].errors
    assert not Signature.objects.exists()


def test_if_the_scan_cannot_be_saved_no_signature_is_left(school, office, teacher, staff_form, client_for, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(PaperScan, "save", broken_save)
    with pytest.raises(OSError):
        _post(client_for(office), school, agreement=staff_form.pk, staff_member=_member_of(school, teacher).pk)
    assert not Signature.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="agreement.").exists()


def test_the_same_paper_form_submitted_twice_is_recorded_once(school, office, teacher, staff_form, client_for):
    client = client_for(office)
    member = _member_of(school, teacher).pk
    _post(client, school, agreement=staff_form.pk, staff_member=member, key="same-key")
    _post(client, school, agreement=staff_form.pk, staff_member=member, key="same-key")
    assert Signature.objects.count() == 1
    assert PaperScan.objects.count() == 1


def test_signed_at_may_only_be_given_for_paper_and_not_in_the_future(school, teacher, staff_form):
    from django.core.exceptions import ValidationError

    from agreements import services

    with pytest.raises(ValueError):
        services.sign(
            form=staff_form,
            signer=teacher,
            typed_name="Sam Jones",
            statements_agreed=[1, 2, 3],
            submission_key="k1",
            signed_at=timezone.now() - datetime.timedelta(days=3),
        )
    with pytest.raises(ValidationError):
        services.sign(
            form=staff_form,
            signer=teacher,
            typed_name="Sam Jones",
            statements_agreed=[1, 2, 3],
            submission_key="k2",
            method=Method.PAPER,
            signed_at=timezone.now() + datetime.timedelta(days=1),
        )
    assert not Signature.objects.exists()


def test_teacher_cannot_record_paper_forms(school, teacher, staff_form, client_for):
    client = client_for(teacher)
    assert client.get(_url(school)).status_code == 404
    response = _post(client, school, agreement=staff_form.pk, staff_member=_member_of(school, teacher).pk)
    assert response.status_code == 404
    assert not Signature.objects.exists()


def _recorded_scan(school, office, teacher, staff_form, client_for):
    _post(client_for(office), school, agreement=staff_form.pk, staff_member=_member_of(school, teacher).pk)
    scan = PaperScan.objects.get()
    return scan, reverse("agreements:paper_scan", kwargs={"school_slug": school.slug, "scan_id": scan.pk})


def test_office_and_head_can_download_the_scan(school, office, head, teacher, staff_form, client_for):
    scan, url = _recorded_scan(school, office, teacher, staff_form, client_for)
    for user in (office, head):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"


def test_a_teacher_even_the_signer_cannot_download_the_scan(school, office, teacher, staff_form, client_for):
    _, url = _recorded_scan(school, office, teacher, staff_form, client_for)
    assert client_for(teacher).get(url).status_code == 404


def test_office_of_another_school_cannot_see_the_paper_pages_or_scans(
    school, other_school, office, teacher, staff_form, client_for
):
    scan, url = _recorded_scan(school, office, teacher, staff_form, client_for)
    other_office = make_member(other_school, Role.OFFICE)
    client = client_for(other_office)
    assert client.get(_url(school)).status_code == 404
    assert client.get(url).status_code == 404
    own_school_url = reverse("agreements:paper_scan", kwargs={"school_slug": other_school.slug, "scan_id": scan.pk})
    assert client.get(own_school_url).status_code == 404


def test_the_office_cannot_pick_a_form_or_pupil_of_another_school(school, other_school, office, teacher, client_for):
    from tests.factories import PupilFactory, SchoolClassFactory

    their_form = published_parents_form(other_school)
    their_pupil = PupilFactory(school=other_school, school_class=SchoolClassFactory(school=other_school))
    response = _post(client_for(office), school, agreement=their_form.pk, pupil=their_pupil.pk)
    assert response.status_code == 400
    assert "agreement" in response.context["form"].errors
    assert not Signature.objects.exists()


def test_the_paper_page_takes_the_same_queries_however_many_forms_are_recorded(
    school, office, teacher, staff_form, client_for
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(office)
    member = _member_of(school, teacher).pk

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(school)).status_code == 200
        return len(queries)

    _post(client, school, agreement=staff_form.pk, staff_member=member, key="k-0")
    one = count()
    for n in range(1, 5):
        _post(client, school, agreement=staff_form.pk, staff_member=member, key=f"k-{n}")
    assert count() == one
