"""Errors and dates the GOV.UK way, in Chromium at 1280 and 375 px: the error summary
is focused when the page loads, each of its links moves focus to the box in error, a
date typed in the Day, Month and Year boxes is saved in UK order, and on a page with
several forms the page scrolls to the form in error. Every page is checked with
axe-core."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from core.roles import Role
from devices.models import Device
from schools.models import Membership

from ..conftest import make_member
from .conftest import fill_date

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def focused_id(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def summary_is_focused(page):
    return page.evaluate("document.activeElement && document.activeElement.matches('[data-error-summary]')")


def in_viewport(page, selector):
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= 0 && box.top < window.innerHeight;
        }""",
        selector,
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_the_office_corrects_a_device_form_from_the_error_summary(viewport, page, check_page, sign_in_as, school):
    office = make_member(school, Role.OFFICE)
    page.set_viewport_size(viewport)
    sign_in_as(page, office)
    page.goto(f"/s/{school.slug}/devices/add/")
    expect(page.get_by_role("group", name="Purchase date")).to_contain_text("For example, 27 3 2026")
    check_page(page, "device form")

    # Sent empty, with a date that is not real: the summary is focused and says what to do.
    fill_date(page, "Purchase date", "31/02/2026")
    page.get_by_role("button", name=re.compile("Add|Save")).click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    assert in_viewport(page, "[data-error-summary]")
    expect(summary.get_by_role("link", name=re.compile("^Choose the (device )?type"))).to_be_visible()
    expect(summary.get_by_role("link", name="Purchase date must be a real date")).to_be_visible()
    expect(page.get_by_text("This field is required.")).to_have_count(0)
    # The message beside the boxes starts with a hidden "Error:" for screen readers.
    expect(page.locator("#id_purchase_date_error")).to_have_text(re.compile(r"^\s*Error: Purchase date must be"))
    check_page(page, "device form with errors")

    # Each link moves focus to its box: a drop-down, and the Day box of the date.
    summary.get_by_role("link", name=re.compile("^Choose the (device )?type")).click()
    assert focused_id(page) == "id_device_type"
    summary.get_by_role("link", name="Purchase date must be a real date").click()
    assert focused_id(page) == "id_purchase_date_day"
    assert in_viewport(page, "#id_purchase_date_day")

    # Corrected: the date typed as day, month, year is saved in UK order.
    page.locator("#id_device_type").select_option(index=1)
    page.get_by_label("Make").fill("Dell")
    page.get_by_label("Serial number").fill(f"SN-{viewport['width']}")
    fill_date(page, "Purchase date", "03/04/2026")
    page.get_by_role("button", name=re.compile("Add|Save")).click()
    expect(page.get_by_role("status")).to_contain_text("is on the register")
    device = Device.objects.get(school=school, serial_number=f"SN-{viewport['width']}")
    assert device.purchase_date == datetime.date(2026, 4, 3)
    check_page(page, "device saved")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_on_a_page_with_several_forms_the_page_scrolls_to_the_form_in_error(
    viewport, page, check_page, sign_in_as, school
):
    head = make_member(school, Role.HEADTEACHER)
    teacher = make_member(school, Role.TEACHER, user__first_name="Tom", user__last_name="Baker")
    membership = Membership.objects.get(user=teacher, school=school)
    page.set_viewport_size(viewport)
    sign_in_as(page, head)
    page.goto(f"/s/{school.slug}/people/{membership.pk}/")
    check_page(page, "person")

    page.get_by_role("button", name=re.compile("leav", re.I)).click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_have_count(1)
    expect(summary).to_be_focused()
    assert in_viewport(page, "[data-error-summary]")
    # The summary sits in the leaving section, not at the top of the roles form.
    expect(page.get_by_role("region", name="Leaving").locator("[data-error-summary]")).to_have_count(1)
    expect(summary.get_by_role("link", name="Enter the last day at the school")).to_be_visible()
    check_page(page, "leaver form with errors")
    summary.get_by_role("link", name="Enter the last day at the school").click()
    assert focused_id(page) == "id_leaving_date_day"


def test_a_long_form_with_errors_leads_with_the_summary(page, check_page, sign_in_as, school):
    teacher = make_member(school, Role.TEACHER)
    sign_in_as(page, teacher)
    page.goto(f"/s/{school.slug}/incidents/report/")
    page.get_by_role("group", name="When it happened").get_by_label("Day", exact=True).fill("")
    page.get_by_role("button", name="Send the report").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(
        summary.get_by_role("link", name=re.compile("^Enter when it happened|^The date and time it happened"))
    ).to_be_visible()
    links = summary.get_by_role("link")
    assert links.count() >= 2
    for index in range(links.count()):
        target = links.nth(index).get_attribute("href")[1:]
        assert page.locator(f"#{target}").count() == 1, f"the summary links to #{target}, not on the page"
    check_page(page, "incident report with errors")
    page.set_viewport_size(PHONE)
    check_page(page, "incident report with errors on a phone")
