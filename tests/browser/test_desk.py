"""Each role's desk in the browser, at 1280 and 375 px, axe clean."""

import datetime
import re

from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from consent.models import PhonePermission, PlannedPost
from devices.models import Device, Loan, LoanItem
from schools.models import Membership
from tests.consent.helpers import published_form
from tests.incidents.conftest import report

from .test_posts import small_png


def test_the_heads_desk_lists_an_incident_a_post_and_a_phone_request_with_menu_counts(
    page, sign_in_as, check_page, head, teacher, parent, pupil, school, tmp_path
):
    incident = report(school, teacher)
    published_form(school, head)  # posts are checked against the photo consent form
    post = PlannedPost.objects.create(
        school=school,
        purpose_code="website",
        purpose_label="The school website",
        caption="Sports day",
        planned_by=teacher,
        image_content_type="image/png",
    )
    post.image.save("sports-day.png", ContentFile(small_png(tmp_path / "sports-day.png").read_bytes()))
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

    # Acting on each item, from the desk, takes it off the desk.
    page.goto("/home/")
    desk.get_by_role("link", name="1 planned post waits for your approval").click()
    expect(page).to_have_url(re.compile(r"/consent/posts/approvals/$"))
    page.locator("article.post-card").get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Nothing is waiting for approval.")).to_be_visible()

    page.goto("/home/")
    desk.get_by_role("link", name="1 mobile phone request waits for your decision").click()
    phone_request = page.get_by_role("region", name=re.compile(pupil.full_name))
    phone_request.get_by_label("Approve").check()
    phone_request.get_by_role("button", name=f"Save the decision for {pupil.full_name}").click()
    expect(page.get_by_text("No requests are waiting.")).to_be_visible()

    page.goto("/home/")
    desk.get_by_role("link", name="1 new e-safety incident to triage").click()
    page.get_by_role("link", name=incident.reference).click()
    triage = page.get_by_role("region", name="Triage")
    triage.get_by_label("How serious").select_option(label="Low")
    triage.get_by_label("Who investigates").select_option(value=str(head.memberships.get(school=school).pk))
    triage.get_by_role("button", name="Save the triage").click()
    expect(page.locator(".messages")).to_contain_text("Triage recorded")

    page.goto("/home/")
    expect(desk.locator(".desk-item__title")).to_have_count(0)
    expect(desk).to_contain_text("Nothing waits for you.")
    check_page(page, "head desk after acting")
    page.goto(f"/s/{school.slug}/")
    expect(nav.locator("summary", has_text="Incidents")).to_have_text("Incidents")
    expect(nav.locator("summary", has_text="Consent")).to_have_text("Consent")


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
