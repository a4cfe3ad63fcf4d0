"""The headteacher writes a policy, edits the staff form in sections, records the
governing body's approval and publishes it, in Chromium, with axe-core on every page;
a version with nothing to read can be neither approved nor published."""

import re

from playwright.sync_api import expect

from aup.models import AgreementForm, PolicyVersion, VersionStatus
from core.roles import Role

from ..conftest import give_mfa, make_member
from .conftest import fill_date, sign_in_with_password, totp_code
from .menu import follow_menu


def test_head_creates_edits_approves_and_publishes_a_policy(page, check_page, school):
    head = make_member(school, Role.HEADTEACHER, mfa=False)
    secret = give_mfa(head)
    make_member(school, Role.DEPUTY, user__first_name="Dana", user__last_name="Price")

    sign_in_with_password(page, check_page, head.email)
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {head.first_name}")

    page.goto(f"/s/{school.slug}/")
    follow_menu(page, "Agreements", "Policies")
    expect(page.get_by_role("heading", level=1)).to_have_text("Policies")
    check_page(page, "no policies")

    page.get_by_role("link", name="New policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New policy")
    check_page(page, "new policy")
    page.get_by_role("button", name="Create policy").click()
    expect(page.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    check_page(page, "new policy with an error")
    page.get_by_label("Title").fill("ICT acceptable use")
    page.get_by_label("Pupils who sign for themselves (key stage 2 and above)").check()
    page.get_by_role("button", name="Create policy").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("ICT acceptable use, version 1")
    expect(page.locator(".version-status")).to_contain_text("Draft")
    checklist = page.get_by_role("region", name="Before it is approved and published")
    expect(checklist.get_by_text("Missing", exact=True)).to_have_count(3)
    check_page(page, "draft version")

    # Approval is refused while there is nothing to read, naming what is missing.
    page.get_by_label(re.compile(r"^Chair of governors:?$")).fill("Ruth Lee")
    fill_date(page, "Date the chair of governors signed", "10/09/2026")
    page.get_by_label(re.compile(r"^Headteacher:?$")).fill(head.full_name)
    fill_date(page, "Date the headteacher signed", "11/09/2026")
    fill_date(page, "Agreed at the governing body meeting on", "10/09/2026")
    page.get_by_role("button", name="Record approval").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Version 1 can't be approved yet: write the policy text or upload the policy document, "
        "set the next review date and choose the person responsible."
    )
    check_page(page, "approval refused")

    # Details: the text, dates and the person responsible.
    fill_date(page, "Adopted on", "01/09/2026")
    fill_date(page, "Next review due on", "01/07/2027")
    page.get_by_label("Person responsible").select_option(label="Dana Price")
    page.get_by_label("Statutory policy").check()
    page.get_by_label("Policy text").fill(
        "1. Introduction and aims\nEveryone uses ICT safely.\n2. Unacceptable use\n- Bullying online."
    )
    page.get_by_label("Short summary").fill("How we all use ICT safely.")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("status")).to_contain_text("details are saved")
    expect(checklist.get_by_text("Missing", exact=True)).to_have_count(0)

    # The staff form.
    page.get_by_role("link", name="Edit the form for staff, governors, volunteers and contractors").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Edit the form for staff, governors, volunteers and contractors"
    )
    check_page(page, "edit staff form")
    page.get_by_label("Title").fill("Staff ICT agreement")
    page.get_by_label("Sections and statements").fill(
        "## I will:\nKeep my password private.\n## I will not:\nLeave my screen unlocked."
    )
    page.get_by_label("Teaching staff").check()
    page.get_by_role("button", name="Save the form").click()
    expect(page.get_by_role("status")).to_contain_text("is saved")
    staff = page.get_by_role("article", name="Staff, governors, volunteers and contractors")
    expect(staff.get_by_text("I will not:")).to_be_visible()
    expect(staff.get_by_text("Leave my screen unlocked.")).to_be_visible()

    # A change-log entry.
    fill_date(page, "Date of the change", "01/09/2026")
    page.get_by_label("Page or section").fill("Page 3")
    page.get_by_label("Details of the change").fill("New staff agreement.")
    page.get_by_label("Agreed by").fill("Full governing body")
    page.get_by_role("button", name="Add to the change log").click()
    expect(page.get_by_role("cell", name="New staff agreement.")).to_be_visible()

    # Approval.
    page.get_by_label(re.compile(r"^Chair of governors:?$")).fill("Ruth Lee")
    fill_date(page, "Date the chair of governors signed", "10/09/2026")
    page.get_by_label(re.compile(r"^Headteacher:?$")).fill(head.full_name)
    fill_date(page, "Date the headteacher signed", "11/09/2026")
    fill_date(page, "Agreed at the governing body meeting on", "10/09/2026")
    page.get_by_role("button", name="Record approval").click()
    expect(page.get_by_role("heading", name="2. Unacceptable use")).to_be_visible()
    expect(page.locator(".version-status")).to_contain_text("Approved")
    expect(page.locator(".approval")).to_contain_text("Ruth Lee, signed on 10/09/2026")
    expect(page.locator(".approval")).to_contain_text(f"{head.full_name}, signed on 11/09/2026")
    check_page(page, "approved version")

    page.get_by_role("link", name="Publish version 1…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish ICT acceptable use, version 1?")
    check_page(page, "publish confirmation")
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.locator(".version-status")).to_contain_text("Published")
    expect(page.get_by_role("button", name="Start a new version")).to_be_visible()
    expect(page.get_by_role("button", name="Save details")).to_have_count(0)
    check_page(page, "published version")

    version = PolicyVersion.objects.get(policy__school=school)
    assert version.status == VersionStatus.PUBLISHED
    staff_form = AgreementForm.objects.get(version=version, audience="staff")
    assert staff_form.text_sha256 and staff_form.staff_types == ["teaching"]
    assert "I will not:\n2. Leave my screen unlocked.\n" in staff_form.canonical_text()
    assert version.body_sha256

    # A new version, with the change to the staff form shown as a diff.
    page.get_by_role("button", name="Start a new version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ICT acceptable use, version 2")
    page.get_by_role("link", name="Edit the form for staff, governors, volunteers and contractors").click()
    page.get_by_label("Sections and statements").fill(
        "## I will:\nKeep my password private.\n## I will not:\nLose equipment without reporting it."
    )
    page.get_by_role("button", name="Save the form").click()
    expect(page.locator("ins", has_text="Lose equipment without reporting it.")).to_be_visible()
    expect(page.locator("del", has_text="Leave my screen unlocked.")).to_be_visible()
    check_page(page, "new version with changes")

    follow_menu(page, "Agreements", "Policies")
    expect(page.get_by_role("cell", name="01/07/2027")).to_be_visible()
    check_page(page, "policies")


def test_publishing_refuses_a_version_with_nothing_to_read_naming_what_is_missing(page, check_page, sign_in_as, school):
    from aup import services

    head = make_member(school, Role.HEADTEACHER)
    version = services.create_policy(school=school, title="Mobile phones", kind="mobile_phones", by=head)
    # Approved before the checklist existed: no text, no review date, nobody responsible.
    PolicyVersion.objects.filter(pk=version.pk).update(status=VersionStatus.APPROVED)

    sign_in_as(page, head)
    page.goto(f"/s/{school.slug}/policies/versions/{version.pk}/")
    checklist = page.get_by_role("region", name="Before it is approved and published")
    expect(checklist.get_by_text("Missing", exact=True)).to_have_count(3)
    page.get_by_role("link", name="Publish version 1…").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Version 1 can't be published yet: write the policy text or upload the policy document, "
        "set the next review date and choose the person responsible."
    )
    expect(page.get_by_role("button", name="Publish version 1")).to_have_count(0)
    check_page(page, "publishing refused")
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED
