"""A parent with two children opens the policy on a phone, reads it, signs the parents'
form once for both (a tick for each section) and downloads a signed PDF. Every page is
checked with axe-core and for CSP errors."""

import re

import pytest
from playwright.sync_api import expect

from agreements.models import Method, Signature
from core.roles import Role

from ..agreements.pdf_helpers import private_media  # noqa: F401  (a fixture)
from ..agreements.test_family_signing import publish_parents_form
from ..conftest import make_member
from ..factories import GuardianshipFactory, PupilFactory
from ..policy_helpers import LONG_POLICY_TEXT
from .conftest import agree_to_each_section


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
    form = publish_parents_form(
        school,
        head,
        body=LONG_POLICY_TEXT,
        summary="How your child uses the school's computers and the internet safely, and how you can help.",
    )
    mother = make_member(school, Role.PARENT, user__first_name="Sara", user__last_name="Khan")
    amelia = PupilFactory(school=school, first_name="Amelia", last_name="Khan")
    zain = PupilFactory(school=school, first_name="Zain", last_name="Khan")
    for child in (amelia, zain):
        GuardianshipFactory(pupil=child, carer=mother)

    sign_in_as(page, mother)
    page.goto("/family/")
    expect(page.get_by_role("heading", name="Amelia Khan")).to_be_visible()
    check_page(page, "family")
    page.get_by_role("link", name=f"Sign: Online safety at home: {form.title}").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(form.title)
    policy = page.get_by_role("region", name="The policy: Online safety at home, version 1")
    expect(policy).to_contain_text("how you can help")
    policy.get_by_text("Read the policy").click()
    expect(policy.get_by_role("heading", name="3.1 Exemptions")).to_be_visible()
    # Readable without zooming: the policy's text is full size and fits the screen.
    font_size = policy.locator(".policy-text p").first.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")
    assert font_size >= 16
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    check_page(page, "sign with the policy open")
    policy.get_by_text("Read the policy").click()  # closed again, to sign
    expect(page.get_by_label("Amelia Khan")).to_be_checked()
    expect(page.get_by_label("Zain Khan")).to_be_checked()
    expect(page.locator("canvas[data-signature-canvas]")).to_be_visible()
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    check_page(page, "sign")

    sections = form.statement_groups()
    assert len(sections) == 3  # three ticks rather than one per statement
    agree_to_each_section(page, form)
    page.get_by_label("Type your full name").fill("Sara Khan")
    page.get_by_role("button", name="Sign").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Signed: {form.title}")
    signatures = list(Signature.objects.order_by("pupil__first_name"))
    assert [(s.pupil, s.method, s.signer) for s in signatures] == [
        (amelia, Method.FOR_CHILD, mother),
        (zain, Method.FOR_CHILD, mother),
    ]
    version = form.version
    version.refresh_from_db()
    for signature in signatures:
        assert signature.statements_agreed == [s.number for s in form.statements.all()]
        assert signature.policy_body_sha256 == version.body_sha256 != ""
        assert signature.policy_presented_at <= signature.policy_opened_at <= signature.signed_at
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
    form = publish_parents_form(
        school,
        head,
        body=LONG_POLICY_TEXT,
        summary="How your child uses the school's computers and the internet safely, and how you can help.",
    )
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
