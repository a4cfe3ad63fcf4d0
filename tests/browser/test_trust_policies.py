"""A trust officer writes a trust policy with a staff form, records the trust board's
approval and publishes it to every school of the trust; a teacher at one of the
schools is then asked to sign it. In Chromium, with axe-core on every page."""

import re

from playwright.sync_api import expect

from aup.models import PolicyVersion, VersionStatus
from core.roles import Role

from ..conftest import make_member
from .conftest import fill_date


def test_a_trust_officer_publishes_a_trust_policy_that_a_teacher_then_signs(
    page, fresh_page, check_page, sign_in_as, trust, school, sister_school, other_school, trust_officer
):
    teacher = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Shah")

    sign_in_as(page, trust_officer)
    page.goto("/")
    check_page(page, "officer home")
    page.get_by_role("link", name="The trust's page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(trust.name)
    expect(page.get_by_role("link", name=school.name)).to_be_visible()
    expect(page.get_by_role("link", name=sister_school.name)).to_be_visible()
    check_page(page, "trust home")

    page.get_by_role("navigation", name=trust.name).get_by_role("link", name="Trust policies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trust policies")
    check_page(page, "no trust policies")
    page.get_by_role("link", name="New trust policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New trust policy")
    check_page(page, "new trust policy")
    page.get_by_label("Title").fill("Trust ICT acceptable use")
    page.get_by_role("button", name="Create policy").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Trust ICT acceptable use, version 1")
    expect(page.locator(".version-status")).to_contain_text("Draft")
    check_page(page, "trust draft")

    fill_date(page, "Next review due on", "01/07/2027")
    page.get_by_label("Person responsible").select_option(label=trust_officer.full_name)
    page.get_by_label("Policy text").fill("## Why\nEvery school of the trust uses ICT safely.")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("status")).to_contain_text("details are saved")

    page.get_by_role("link", name="Edit the form for staff, governors, volunteers and contractors").click()
    check_page(page, "trust staff form")
    page.get_by_label("Title").fill("Staff ICT agreement for all our schools")
    page.get_by_label("Sections and statements").fill(
        "I will keep my password private.\nI will report lost equipment at once."
    )
    page.get_by_role("button", name="Save the form").click()
    expect(page.get_by_role("status")).to_contain_text("is saved")

    page.get_by_label(re.compile(r"^Chair of trustees:?$")).fill("Grace Obi")
    fill_date(page, "Date the chair of trustees signed", "10/07/2026")
    page.get_by_label(re.compile(r"^Chief executive:?$")).fill("Tom Hale")
    fill_date(page, "Date the chief executive signed", "10/07/2026")
    fill_date(page, "Agreed at the trust board meeting on", "10/07/2026")
    page.get_by_role("button", name="Record approval").click()
    expect(page.locator(".version-status")).to_contain_text("Approved")
    check_page(page, "trust approved")

    page.get_by_role("link", name="Publish to all 2 schools…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish Trust ICT acceptable use, version 1?")
    confirm = page.get_by_role("region", name="When you publish")
    expect(confirm.get_by_role("listitem").filter(has_text=re.compile(f"^{school.name}$"))).to_be_visible()
    expect(confirm.get_by_role("listitem").filter(has_text=re.compile(f"^{sister_school.name}$"))).to_be_visible()
    expect(page.get_by_text(other_school.name)).to_have_count(0)
    check_page(page, "publish to all schools")
    page.get_by_role("button", name="Publish to all 2 schools").click()
    expect(page.get_by_role("status")).to_contain_text("is published at 2 schools")
    expect(page.locator(".version-status")).to_contain_text("Published")
    expect(page.get_by_text(f"Published at: {school.name}, {sister_school.name}.")).to_be_visible()
    check_page(page, "trust published")

    trust_version = PolicyVersion.objects.get(policy__trust=trust)
    assert trust_version.status == VersionStatus.PUBLISHED
    assert {c.policy.school for c in trust_version.school_copies.all()} == {school, sister_school}

    # The teacher at Oakfield is asked to sign it.
    teacher_page = fresh_page()
    sign_in_as(teacher_page, teacher)
    teacher_page.goto("/")
    todo = teacher_page.get_by_role(
        "link", name="Sign Trust ICT acceptable use: Staff ICT agreement for all our schools (version 1)"
    )
    expect(todo).to_be_visible()
    expect(teacher_page.get_by_text(f"{school.name} asks all its staff to read and sign it.")).to_be_visible()
    check_page(teacher_page, "teacher home")
    todo.click()
    expect(teacher_page.get_by_text("I will report lost equipment at once.")).to_be_visible()
    expect(teacher_page.get_by_text("Every school of the trust uses ICT safely.")).to_be_visible()
    check_page(teacher_page, "teacher sign page")

    # The head of Oakfield sees the school's copy, managed by the trust.
    head = make_member(school, Role.HEADTEACHER)
    head_page = fresh_page()
    sign_in_as(head_page, head)
    head_page.goto(f"/s/{school.slug}/policies/")
    check_page(head_page, "school policies")
    head_page.get_by_role("link", name="Trust ICT acceptable use").click()
    expect(head_page.get_by_text("This is a trust policy, managed by")).to_be_visible()
    expect(head_page.get_by_role("button", name="Start a new version")).to_have_count(0)
    check_page(head_page, "school copy")
