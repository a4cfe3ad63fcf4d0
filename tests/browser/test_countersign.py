"""A parent countersigns, on a phone, the ICT agreement their child signed at the class
kiosk: they see it on their family page, read the exact text and the child's signature,
countersign, and download the one PDF that carries both signatures. Each page is
checked with axe-core and for CSP errors."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from agreements.models import Countersignature, CountersignedDocument
from core.roles import Role

from ..agreements.countersign_helpers import publish_countersigned_ks2_form, pupil_signs_in_class
from ..agreements.pdf_helpers import private_media  # noqa: F401  (a fixture)
from ..conftest import make_member
from ..factories import GuardianshipFactory, PupilFactory, SchoolClassFactory


@pytest.fixture
def phone(page):
    page.set_viewport_size({"width": 375, "height": 740})
    return page


def test_a_parent_countersigns_their_childs_agreement_on_a_phone(
    phone,
    check_page,
    sign_in_as,
    school,
    private_media,  # noqa: F811
    monkeypatch,
):
    from django.core.files.storage import FileSystemStorage

    monkeypatch.setattr(
        CountersignedDocument._meta.get_field("file"), "storage", FileSystemStorage(location=private_media)
    )
    page = phone
    head = make_member(school, Role.HEADTEACHER)
    teacher = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Shah")
    oak = SchoolClassFactory(school=school, name="Oak")
    oak.teachers.add(teacher.memberships.get(school=school))
    amelia = PupilFactory(school=school, school_class=oak, first_name="Amelia", last_name="Khan")
    form = publish_countersigned_ks2_form(school, head)
    # Signing the pupil's PDF (on commit, eagerly) runs pyHanko, which starts an asyncio
    # loop of its own: not in this thread, where Playwright's loop is running.
    with ThreadPoolExecutor(max_workers=1) as worker:
        (signature,) = worker.submit(pupil_signs_in_class, form, oak, teacher, amelia).result()
    mother = make_member(school, Role.PARENT, user__first_name="Sara", user__last_name="Khan")
    GuardianshipFactory(pupil=amelia, carer=mother, relationship="mother")

    sign_in_as(page, mother)
    page.goto("/family/")
    check_page(page, "family")
    page.get_by_role("link", name=f"Countersign: {form.full_title}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Countersign Amelia’s agreement")
    expect(page.locator(".signed-text")).to_contain_text(form.statements.first().text)
    expect(page.locator(".countersign-evidence")).to_contain_text("Amelia Khan, a pupil")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    check_page(page, "countersign")

    # Nothing ticked or typed: the error summary says what to do.
    page.get_by_role("button", name="Countersign").click()
    expect(page.locator(".error-summary")).to_contain_text("Type your full name to countersign")
    check_page(page, "countersign errors")

    page.get_by_label("I have read what Amelia agreed to").check()
    page.get_by_label("Your full name").fill("Sara Khan")
    page.get_by_role("button", name="Countersign").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Countersigned: {form.title}")
    countersignature = Countersignature.objects.get(signature=signature)
    assert countersignature.signer == mother and countersignature.relationship == "Mother"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    check_page(page, "countersigned")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF with both signatures").click()
    data = open(download.value.path(), "rb").read()
    assert data == CountersignedDocument.objects.get(countersignature=countersignature).file.read()

    from core.signing import validate_pdf

    with ThreadPoolExecutor(max_workers=1) as worker:
        check = worker.submit(validate_pdf, data).result()
    assert check.valid and len(check.signatures) == 2
