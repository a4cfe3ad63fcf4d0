"""/verify/ in Chromium: someone holding a signed PDF checks its code, then the file
itself (its digital signature described), then a copy with one byte changed. The page names the school, the policy, the
version and the date, and only the signer's initials. Every state is checked with
axe-core and for CSP errors."""

import datetime
import re

import pytest
import time_machine
from playwright.sync_api import expect

from agreements.models import SignedDocument
from core.roles import Role

from ..agreements.pdf_helpers import private_media, published_staff_form, sign  # noqa: F401
from ..conftest import make_member


@pytest.fixture
def signed_pdf(school, private_media):  # noqa: F811
    """A staff agreement signed through the real service; outside a test transaction
    (live_server), the PDF is made on commit, eagerly, as soon as it is signed."""
    teacher = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Shah")
    form = published_staff_form(school)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 8, 15, tzinfo=datetime.UTC), tick=True):
        signature = sign(form, teacher, typed_name="Priya Anjali Shah")
    document = SignedDocument.objects.get(signature=signature)
    return signature, document.file.read()


def issued_details(page):
    result = page.locator("#result")
    expect(result.get_by_text("Oakfield Primary School")).to_be_visible()
    expect(result.get_by_text("ICT acceptable use, version 3")).to_be_visible()
    expect(result.get_by_text("Staff ICT acceptable use agreement")).to_be_visible()
    expect(result.get_by_text("Monday 2 March 2026 at 08:15 GMT", exact=True)).to_be_visible()
    expect(result.get_by_text("P. A. S.", exact=True)).to_be_visible()
    # Initials only: the signer's name appears nowhere on the page.
    text = page.locator("body").inner_text()
    assert "Priya" not in text and "Shah" not in text


def test_a_signed_pdf_is_checked_by_its_code_and_by_the_file_and_a_changed_copy_is_refused(
    page, check_page, signed_pdf, tmp_path
):
    signature, pdf = signed_pdf
    assert pdf.startswith(b"%PDF-")

    page.goto("/verify/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a signed agreement")
    check_page(page, "empty")

    # The code, typed as someone might read it off the page: lower case, with spaces.
    page.get_by_role("textbox", name="Verification code").fill(signature.verification_code.replace("-", " ").lower())
    page.get_by_role("button", name="Check the code").click()
    expect(page.get_by_role("heading", level=2, name="Issued: this code belongs to a signed agreement")).to_be_visible()
    expect(page).to_have_title(re.compile("Document issued by the portal"))
    issued_details(page)
    check_page(page, "code issued")

    # The PDF itself, exactly as issued.
    genuine = tmp_path / f"{signature.verification_code}.pdf"
    genuine.write_bytes(pdf)
    page.get_by_label("The signed PDF").set_input_files(str(genuine))
    page.get_by_role("button", name="Check the file").click()
    expect(
        page.get_by_role("heading", level=2, name="This is a document the portal issued, and it is unchanged")
    ).to_be_visible()
    issued_details(page)
    expect(page.get_by_role("heading", level=3, name="What the digital signature shows")).to_be_visible()
    check_page(page, "file genuine")

    # The same PDF with one byte changed in the middle.
    changed = bytearray(pdf)
    middle = len(changed) // 2
    changed[middle] = (changed[middle] + 1) % 256
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(bytes(changed))
    page.get_by_label("The signed PDF").set_input_files(str(altered))
    page.get_by_role("button", name="Check the file").click()
    problem = page.get_by_role("alert")
    expect(problem.get_by_role("heading", name="This file has been changed since it was signed")).to_be_visible()
    expect(page.get_by_text("Oakfield Primary School")).to_have_count(0)
    expect(page.get_by_text("P. A. S.", exact=True)).to_have_count(0)
    check_page(page, "file changed")


def test_a_code_that_was_never_issued_is_refused_plainly(page, check_page, db):
    page.goto("/verify/")
    page.get_by_role("textbox", name="Verification code").fill("ABCD-EFGH-JKMN")
    page.get_by_role("button", name="Check the code").click()

    expect(page.get_by_role("alert").get_by_role("heading", name="This code is not one we issued")).to_be_visible()
    check_page(page, "code unknown")
