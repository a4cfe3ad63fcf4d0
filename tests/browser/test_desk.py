"""Each role's desk in the browser, at 1280 and 375 px, axe clean."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from consent.models import PhonePermission, PlannedPost
from devices.models import Device, Loan, LoanItem
from schools.models import Membership
from tests.incidents.conftest import report


def test_the_heads_desk_lists_an_incident_a_post_and_a_phone_request_with_menu_counts(
    page, sign_in_as, check_page, head, teacher, parent, pupil, school
):
    report(school, teacher)
    PlannedPost.objects.create(
        school=school,
        purpose_code="website",
        purpose_label="The school website",
        caption="Sports day",
        planned_by=teacher,
    )
    PhonePermission.objects.create(
        school=school,
        pupil=pupil,
        carer=parent,
        reason="She walks home alone.",
        signer_name="Parent",
        signed_at=timezone.now(),
        submission_key="phone-1",
    )
    sign_in_as(page, head)
    page.goto("/home/")
    desk = page.locator(".desk")
    expect(desk.get_by_role("link", name="1 new e-safety incident to triage")).to_be_visible()
    expect(desk.get_by_role("link", name="1 planned post waits for your approval")).to_be_visible()
    expect(desk.get_by_role("link", name="1 mobile phone request waits for your decision")).to_be_visible()
    check_page(page, "head desk")
    page.goto(f"/s/{school.slug}/")
    nav = page.get_by_role("navigation", name=school.name)
    # Each menu group's heading carries its count ("Incidents, 1 waiting" to a screen reader).
    expect(nav.locator("summary", has_text="Incidents")).to_have_text(re.compile(r"^Incidents\W*1 waiting$"))
    expect(nav.locator("summary", has_text="Consent")).to_have_text(re.compile(r"^Consent\W*2 waiting$"))
    check_page(page, "school home with counts")
    page.goto("/home/")
    desk.get_by_role("link", name="1 planned post waits for your approval").click()
    expect(page).to_have_url(re.compile(r"/consent/posts/approvals/$"))


def test_the_dsls_desk_after_a_report(page, sign_in_as, check_page, dsl, teacher, school):
    report(school, teacher)
    sign_in_as(page, dsl)
    page.goto("/home/")
    expect(page.locator(".desk").get_by_role("link", name="1 new e-safety incident to triage")).to_be_visible()
    check_page(page, "dsl desk")


def test_the_office_desk_with_a_device_overdue(page, sign_in_as, check_page, office, teacher, school):
    device = Device.objects.create(school=school, device_type="laptop", make="Dell", serial_number="ABC1")
    loan = Loan.objects.create(
        school=school,
        borrower=Membership.objects.get(user=teacher, school=school),
        due_on=timezone.localdate() - datetime.timedelta(days=3),
        lent_by=office,
    )
    LoanItem.objects.create(loan=loan, device=device)
    sign_in_as(page, office)
    page.goto("/home/")
    expect(page.locator(".desk").get_by_role("link", name="1 device is overdue")).to_be_visible()
    check_page(page, "office desk")


def test_an_empty_desk(page, sign_in_as, check_page, head):
    sign_in_as(page, head)
    page.goto("/home/")
    expect(page.get_by_text("Nothing waits for you.")).to_be_visible()
    check_page(page, "empty desk")
