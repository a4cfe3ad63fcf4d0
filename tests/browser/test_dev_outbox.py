"""The development outbox (DEBUG only): a parent asks for a sign-in code, finds it at
/dev/outbox/, signs in with it; a message's attachment downloads. Every page passes
axe-core and fits a phone."""

import re

import pytest
from django.core.mail import EmailMessage
from playwright.sync_api import expect

PDF = b"%PDF-1.7\n" + b"x" * 5_000


@pytest.fixture
def outbox(settings, tmp_path, live_server):
    settings.DEBUG = True
    settings.EMAIL_OUTBOX_DIR = tmp_path / "outbox"
    settings.EMAIL_BACKEND = "core.mail_outbox.EmailBackend"
    settings.SITE_URL = live_server.url
    return settings.EMAIL_OUTBOX_DIR


def test_a_parent_reads_their_sign_in_code_in_the_outbox_and_signs_in(page, check_page, parent, outbox):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with a code").click()
    page.get_by_label(re.compile("email", re.I)).fill(parent.email)
    page.get_by_role("button", name=re.compile("code", re.I)).click()
    page.wait_for_load_state("load")
    code_page = page.url

    page.goto("/dev/outbox/")
    check_page(page, "outbox")
    text = page.locator(".email-text").first.inner_text()
    code = re.search(r"Your sign-in code is listed below.*?\n\s*(\S+)\s*\n", text, re.S).group(1)

    page.goto(code_page)
    page.get_by_label(re.compile("code", re.I)).fill(code)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state("load")
    expect(page.get_by_text(f"Successfully signed in as {parent.full_name}.")).to_be_visible()


def test_a_message_page_opens_from_the_list_and_its_attachment_downloads(page, check_page, db, outbox):
    message = EmailMessage(
        subject="Your signed agreement",
        body="Check it at http://localhost:8000/verify/ at any time.",
        to=["a@example.com"],
    )
    message.attach("agreement.pdf", PDF, "application/pdf")
    message.send()

    page.goto("/dev/outbox/")
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("link", name="Your signed agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your signed agreement")
    check_page(page, "message")
    with page.expect_download() as download:
        page.get_by_role("link", name="agreement.pdf").click()
    assert download.value.suggested_filename == "agreement.pdf"
    assert open(download.value.path(), "rb").read() == PDF
