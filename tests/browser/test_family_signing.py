"""A parent with two children signs the parents' form once for both on a phone, and
downloads a signed PDF. Every page is checked with axe-core and for CSP errors."""

import re

import pytest
from playwright.sync_api import expect

from agreements.models import Method, Signature
from core.roles import Role

from ..agreements.pdf_helpers import private_media  # noqa: F401  (a fixture)
from ..agreements.test_family_signing import publish_parents_form
from ..conftest import make_member
from ..factories import GuardianshipFactory, PupilFactory


@pytest.fixture
def phone(page):
    page.set_viewport_size({"width": 375, "height": 740})
    return page


def test_a_parent_signs_once_for_two_children_on_a_phone(
    phone,
    check_page,
    sign_in_as,
    school,
    private_media,  # noqa: F811
):
    page = phone
    head = make_member(school, Role.HEADTEACHER)
    form = publish_parents_form(school, head)
    mother = make_member(school, Role.PARENT, user__first_name="Sara", user__last_name="Khan")
    amelia = PupilFactory(school=school, first_name="Amelia", last_name="Khan")
    zain = PupilFactory(school=school, first_name="Zain", last_name="Khan")
    for child in (amelia, zain):
        GuardianshipFactory(pupil=child, carer=mother)

    sign_in_as(page, mother)
    page.goto("/family/")
    expect(page.get_by_role("heading", name="Amelia Khan")).to_be_visible()
    check_page(page, "family")
    page.get_by_role("link", name=f"Sign: {form.title}").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(form.title)
    expect(page.get_by_label("Amelia Khan")).to_be_checked()
    expect(page.get_by_label("Zain Khan")).to_be_checked()
    expect(page.locator("canvas[data-signature-canvas]")).to_be_visible()
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    check_page(page, "sign")

    for statement in form.statements.all():
        page.get_by_label(f"{statement.number}. {statement.text}").check()
    page.get_by_label("Type your full name").fill("Sara Khan")
    page.get_by_role("button", name="Sign").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Signed: {form.title}")
    signatures = list(Signature.objects.order_by("pupil__first_name"))
    assert [(s.pupil, s.method, s.signer) for s in signatures] == [
        (amelia, Method.FOR_CHILD, mother),
        (zain, Method.FOR_CHILD, mother),
    ]
    check_page(page, "receipt")

    link = page.get_by_role("link", name="Download the signed PDF for Amelia")
    if not link.count():  # the worker had not finished when the page was drawn
        page.reload()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the signed PDF for Amelia").click()
    download = download_info.value
    assert download.suggested_filename == f"{signatures[0].verification_code}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.get_by_role("link", name="Back to your children").click()
    expect(page.get_by_text(re.compile("Nothing to sign for Amelia"))).to_be_visible()
    check_page(page, "family after signing")


def test_a_carer_without_parental_responsibility_sees_who_can_sign(phone, check_page, sign_in_as, school):
    page = phone
    head = make_member(school, Role.HEADTEACHER)
    form = publish_parents_form(school, head)
    amelia = PupilFactory(school=school, first_name="Amelia", last_name="Khan")
    mother = make_member(school, Role.PARENT, user__first_name="Sara", user__last_name="Khan")
    stepdad = make_member(school, Role.PARENT, user__first_name="Tom", user__last_name="Reid")
    GuardianshipFactory(pupil=amelia, carer=mother)
    GuardianshipFactory(pupil=amelia, carer=stepdad, relationship="step_parent", parental_responsibility=False)

    sign_in_as(page, stepdad)
    page.goto("/family/")
    expect(page.get_by_text(form.title)).to_be_visible()
    expect(
        page.get_by_text(re.compile("Only a carer with parental responsibility can sign; Sara Khan can"))
    ).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Sign:"))).to_have_count(0)
    check_page(page, "family without parental responsibility")
