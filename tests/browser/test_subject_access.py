"""A subject access request in Chromium, on a phone: the head (the school's DPO here)
records the request, starts an export of the pupil's data from it, watches it become
ready, ticks that they will check the listed items, and downloads the ZIP once; the
second attempt is refused. The public privacy notice is read signed out. Every page
is checked with axe-core and for CSP errors."""

import datetime
import re

from playwright.sync_api import expect

from ..privacy.conftest import OTHER_LAST, _private_media, every_text, export_json, history, open_zip  # noqa: F401
from .conftest import fill_date

PHONE = {"width": 375, "height": 812}


def no_sideways_scrolling(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_the_dpo_records_a_request_exports_the_pupils_data_and_downloads_it_once(
    page,
    fresh_page,
    check_page,
    sign_in_as,
    school,
    head,
    history,  # noqa: F811 (the fixture imported above)
    tmp_path,
):
    page.set_viewport_size(PHONE)
    sign_in_as(page, head)
    page.goto(f"/s/{school.slug}/data-protection/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Data protection")
    no_sideways_scrolling(page)
    check_page(page, "data protection home")

    page.get_by_role("link", name="Record a request").click()
    page.get_by_label("Subject access (a copy of their data)").check()
    page.get_by_label("Who asked").fill("Sarah Khan")
    page.get_by_label("Their relationship to the person the data is about").fill("Mother of the pupil")
    page.get_by_label("Whose data it is about").fill("Amelia Khan")
    today = datetime.date.today()
    fill_date(page, "Date received", today.strftime("%d/%m/%Y"))
    page.get_by_label("What was asked").fill("A copy of everything the school holds about my daughter.")
    check_page(page, "record a request")
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access (a copy of their data)")
    expect(page.locator("dl.details")).to_contain_text("Answer by")
    no_sideways_scrolling(page)
    check_page(page, "the request")

    page.get_by_role("link", name="Export the person's data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export a person's data")
    page.get_by_label("A pupil", exact=True).check()
    pupil_box = page.get_by_label("Pupil", exact=True)
    option = pupil_box.locator("option", has_text="Amelia Khan").first
    pupil_box.select_option(value=option.get_attribute("value"))
    no_sideways_scrolling(page)
    check_page(page, "start an export")
    page.get_by_role("button", name="Start the export").click()

    # The worker runs the task as the commit queues it (eager in tests): ready at once,
    # or after a poll or two.
    expect(page.get_by_role("heading", level=1)).to_have_text("Personal data about Amelia Khan")
    expect(page.get_by_role("button", name="Download the export (once)")).to_be_visible(timeout=30000)
    expect(page.locator(".review-list")).to_contain_text(history.incident.reference)
    no_sideways_scrolling(page)
    check_page(page, "export ready")

    page.get_by_label("I will check the items listed above before the export is released").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the export (once)").click()
    saved = tmp_path / "export.zip"
    info.value.save_as(saved)
    files = open_zip(saved.read_bytes())
    assert export_json(files)["about"]["name"] == "Amelia Khan"
    assert OTHER_LAST not in every_text(files)

    page.reload()
    expect(page.locator("#export-status")).to_contain_text("Downloaded")
    expect(page.get_by_role("button", name="Download the export (once)")).to_have_count(0)
    check_page(page, "export downloaded")

    # The privacy notice, from the footer, and signed out.
    page.get_by_role("link", name=re.compile("Privacy notice of")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How we use your personal data")
    signed_out = fresh_page()
    signed_out.set_viewport_size(PHONE)
    signed_out.goto(f"/privacy/{school.slug}/")
    expect(signed_out.get_by_role("heading", name="Your rights")).to_be_visible()
    no_sideways_scrolling(signed_out)
    check_page(signed_out, "public privacy notice")
