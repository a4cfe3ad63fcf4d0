"""Asset labels in Chromium: the office ticks two devices on the register, chooses a
21-a-sheet layout and label 5 (the first four are used), gets the PDF, and the two
labels are in the 5th and 6th cells of the sheet. Every page is checked with axe-core
at desktop and phone widths."""

import os
from pathlib import Path

from playwright.sync_api import expect

from core.roles import Role
from devices.labels import LAYOUTS

from ..conftest import make_member
from ..devices.conftest import make_device
from ..devices.test_labels import positions_of
from .conftest import PHONE_WIDTH


def test_the_office_prints_labels_for_two_chosen_devices_starting_at_label_5(page, check_page, sign_in_as, school):
    office = make_member(school, Role.OFFICE, user__first_name="Olive", user__last_name="Grant")
    make_device(school, "laptop", serial_number="DL-0001", asset_tag="OAK-0001")
    make_device(school, "laptop", serial_number="DL-0002", asset_tag="OAK-0002")
    make_device(school, "tablet", make="Apple", model="iPad", serial_number="IPAD-1", asset_tag="OAK-0003")

    sign_in_as(page, office)
    page.goto(f"/s/{school.slug}/devices/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Equipment register")
    page.get_by_label("Choose Laptop Dell Latitude 5440, serial DL-0001").check()
    page.get_by_label("Choose Tablet Apple iPad, serial IPAD-1").check()
    check_page(page, "register with two ticked")
    page.get_by_role("button", name="Print labels for chosen devices").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Print asset labels")
    included = page.get_by_role("region", name="Labels for 2 devices")
    expect(included).to_contain_text("Laptop Dell Latitude 5440, asset tag OAK-0001")
    expect(included).to_contain_text("Tablet Apple iPad, asset tag OAK-0003")
    expect(included).not_to_contain_text("OAK-0002")
    sheet = page.get_by_role("group", name="Label sheet")
    expect(sheet.get_by_label("Avery L7160 (21 a sheet)")).to_be_checked()
    sheet.get_by_label("Avery L7165 (8 a sheet)").check()
    page.get_by_label("Start at label number").fill("12")
    page.get_by_role("button", name="Get the labels (PDF)").click()

    # Label 12 on a sheet of 8: the message says what to do, beside the box.
    expect(page.get_by_role("alert")).to_be_visible()
    expect(
        page.locator(".error-summary").get_by_text("Enter a label number from 1 to 8: an L7165 sheet has 8 labels.")
    ).to_be_visible()
    check_page(page, "labels start beyond the sheet")

    page.get_by_role("group", name="Label sheet").get_by_label("Avery L7160 (21 a sheet)").check()
    page.get_by_label("Start at label number").fill("5")
    check_page(page, "labels form")
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    check_page(page, "labels form on a phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    with page.expect_response(lambda response: "/devices/labels.pdf" in response.url) as answer:
        page.get_by_role("button", name="Get the labels (PDF)").click()
    response = answer.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    # Chromium hands a PDF to its viewer, so the bytes are fetched again at the same
    # address (the page's session, the same query: the chosen devices, sheet and start).
    assert "layout=L7160" in response.url and "start=5" in response.url
    pdf = page.request.get(response.url).body()

    layout = LAYOUTS["L7160"]
    assert positions_of(pdf, layout, "OAK-0001") == [(0, 5)]
    assert positions_of(pdf, layout, "OAK-0003") == [(0, 6)]
    assert positions_of(pdf, layout, "OAK-0002") == []
    if folder := os.environ.get("SCREENSHOTS_DIR"):
        Path(folder, "labels-two-chosen-from-5.pdf").write_bytes(pdf)
