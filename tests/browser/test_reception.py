"""The reception kiosk in Chromium: the office opens it and starts it on the reception
device; visitors sign at tablet and phone sizes, one with the keyboard alone and one
drawing a signature; the office signs in again and sees them in today's list. Every
page is checked with axe-core and for CSP errors."""

import re

from playwright.sync_api import expect

from agreements import reception
from agreements.models import Method, Signature
from core.roles import Role

from ..agreements.pdf_helpers import private_media  # noqa: F401  (a fixture)
from ..agreements.test_reception import publish_visitors_form
from ..conftest import make_member
from .conftest import agree_to_each_section, section_labels
from .menu import follow_menu

TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 375, "height": 740}


def test_the_office_starts_the_kiosk_visitors_sign_and_the_office_sees_them(
    page,
    check_page,
    sign_in_as,
    school,
    monkeypatch,
    private_media,  # noqa: F811
):
    monkeypatch.setattr(reception, "THANKS_SECONDS", 2)
    head = make_member(school, Role.HEADTEACHER)
    office = make_member(school, Role.OFFICE, user__first_name="Olivia", user__last_name="Brown")
    form = publish_visitors_form(school, head)

    # The office opens the kiosk from the Visitors page.
    sign_in_as(page, office)
    page.goto(f"/s/{school.slug}/")
    follow_menu(page, "Agreements", "Visitors")
    expect(page.get_by_role("heading", level=1)).to_have_text("Visitors")
    expect(page.get_by_text("The reception kiosk is closed.")).to_be_visible()
    expect(page.get_by_text("No visitors signed in at reception today.")).to_be_visible()
    check_page(page, "visitors closed")
    page.get_by_role("button", name="Open the reception kiosk").click()
    expect(page.get_by_role("status")).to_contain_text("The reception kiosk is open until midnight")
    expect(page.get_by_role("img", name="QR code of the reception kiosk link")).to_be_visible()
    link = page.locator(".reception-kiosk__link a").get_attribute("href")
    assert "/kiosk/reception/" in link
    check_page(page, "visitors open")

    # ...and starts it on this device: signed out, the kiosk is all there is.
    page.set_viewport_size(TABLET)
    page.get_by_role("button", name="Start on this device").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome. Please sign in")
    assert page.url == link
    assert page.locator("a").count() == 1  # the skip link, and nothing else to follow
    expect(page.get_by_text(school.name, exact=True)).to_be_visible()
    check_page(page, "kiosk")

    # A visitor signs with the keyboard alone, at tablet size.
    page.get_by_role("button", name="Sign in").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.locator(".error-summary").get_by_text("Tell us whom you are visiting.")).to_be_visible()
    check_page(page, "kiosk with errors")
    page.get_by_label("Whom are you visiting?").focus()
    page.keyboard.type("Mrs Patel")
    page.keyboard.press("Tab")
    page.keyboard.type("Brightwire Electrical")
    for label in section_labels(form):
        page.get_by_label(label, exact=True).focus()
        page.keyboard.press("Space")
    page.get_by_label("Type your full name").focus()
    page.keyboard.type("Dev Mistry")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, you are signed in")
    expect(page.get_by_text("Dev Mistry")).to_have_count(0)
    check_page(page, "thanks")
    # After a few seconds the form comes back, empty, for the next visitor.
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome. Please sign in", timeout=8000)
    expect(page.get_by_label("Type your full name")).to_have_value("")
    expect(page.get_by_label("Whom are you visiting?")).to_have_value("")

    # The next visitor signs on a phone and draws a signature.
    page.set_viewport_size(PHONE)
    page.get_by_label("Whom are you visiting?").fill("The school office")
    agree_to_each_section(page, form)
    page.get_by_label("Type your full name").fill("Grace Adeyemi")
    canvas = page.locator("canvas[data-signature-canvas]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.6)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + box["height"] * (0.6 - 0.3 * (step % 2)), steps=3)
    page.mouse.up()
    check_page(page, "kiosk phone drawn")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, you are signed in")
    page.get_by_role("link", name="Next visitor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome. Please sign in")

    first, second = Signature.objects.order_by("pk")
    assert (first.signer_name, first.details) == (
        "Dev Mistry",
        {"organisation": "Brightwire Electrical", "visiting": "Mrs Patel"},
    )
    assert first.drawn_signature == ""
    assert second.signer_name == "Grace Adeyemi"
    assert second.details == {"organisation": "", "visiting": "The school office"}
    assert second.drawn_signature.startswith("data:image/png;base64,")
    assert {first.method, second.method} == {Method.VISITOR_KIOSK}
    assert first.signer is None and second.signer is None

    # The office signs in again and sees both in today's list.
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_as(page, office)
    page.goto(f"/s/{school.slug}/visitors/")
    expect(page.get_by_role("heading", name="Today's visitors")).to_be_visible()
    table = page.get_by_role("region", name="Today's visitors")
    expect(table.get_by_role("cell", name="Dev Mistry", exact=True)).to_be_visible()
    expect(table.get_by_role("cell", name="Brightwire Electrical", exact=True)).to_be_visible()
    expect(table.get_by_role("cell", name="Grace Adeyemi", exact=True)).to_be_visible()
    expect(table.get_by_role("cell", name="The school office", exact=True)).to_be_visible()
    check_page(page, "visitors listed")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Signed PDF of Dev Mistry").click()
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # Closing the kiosk: the device's link now says so.
    page.get_by_role("button", name=re.compile("Close the kiosk")).click()
    expect(page.get_by_role("status")).to_contain_text("The reception kiosk is closed")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("The reception kiosk is closed")
    check_page(page, "kiosk closed")
