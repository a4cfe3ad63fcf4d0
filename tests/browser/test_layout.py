"""Keyboard and small screens: the skip link comes first and takes focus to the main
content; at 375 px wide the pages a headteacher uses do not scroll sideways."""

import pytest
from playwright.sync_api import expect

from core.roles import Role
from schools.models import Membership

from ..conftest import make_member
from ..factories import MembershipFactory, UserFactory

PHONE = {"width": 375, "height": 740}

FOCUSED = "() => { const e = document.activeElement; return {tag: e.tagName, id: e.id, text: e.textContent.trim()} }"


@pytest.fixture
def busy_staff_room(school):
    """A staff list with the long names, emails and role lists real schools have."""
    make_member(school, Role.DEPUTY, Role.DSL, Role.ESAFETY_LEAD, job_title="Deputy headteacher and DSL")
    for first, last, email in [
        ("Aleksandra", "Wojciechowska-Fitzgerald", "aleksandra.wojciechowska-fitzgerald@oakfield-primary.example.org"),
        ("Tom", "Ng", "t.ng@oakfield.example.org"),
    ]:
        user = UserFactory(first_name=first, last_name=last, email=email)
        MembershipFactory(
            school=school, user=user, roles=[Role.TEACHER, Role.ICT_MANAGER], job_title="Computing lead, Year 6"
        )
    MembershipFactory(school=school, roles=[Role.SUPPORT_STAFF], status="invited", leaving_date="2031-07-31")


@pytest.mark.parametrize("path", ["/accounts/login/", "/home/", "/s/oakfield/staff/"])
def test_skip_link_is_the_first_thing_a_keyboard_reaches_and_moves_focus_to_main(
    page, check_page, sign_in_as, school, path
):
    if path != "/accounts/login/":
        sign_in_as(page, make_member(school, Role.HEADTEACHER))
    page.goto(path)

    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first["tag"] == "A" and first["text"] == "Skip to main content", first
    expect(page.get_by_role("link", name="Skip to main content")).to_be_in_viewport()

    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED)["id"] == "main"
    check_page(page, "skip link")


def test_school_pages_fit_a_phone_without_sideways_scrolling(
    page, check_page, sign_in_as, school, busy_staff_room, parent, pupil
):
    head = make_member(school, Role.HEADTEACHER, user__first_name="Bartholomew", user__last_name="Featherstonehaugh")
    parent_membership = Membership.objects.get(school=school, user=parent)
    sign_in_as(page, head)
    page.set_viewport_size(PHONE)
    base = f"/s/{school.slug}"
    for path in [
        "/home/",
        f"{base}/",
        f"{base}/staff/",
        f"{base}/staff/add/",
        f"{base}/people/{parent_membership.pk}/",
        f"{base}/pupils/?class={pupil.school_class.pk}",
        f"{base}/pupils/{pupil.pk}/",
        f"{base}/parents/",
        f"{base}/audit/",
        f"{base}/settings/",
    ]:
        response = page.goto(path)
        assert response.ok, f"{path}: {response.status}"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide on a {PHONE['width']} px phone"
        check_page(page, path.removeprefix(base) or "home")


def test_account_menu_opens_within_a_phone_screen_and_its_pages_work(page, check_page, sign_in_as, school):
    head = make_member(school, Role.HEADTEACHER, user__first_name="Bartholomew", user__last_name="Featherstonehaugh")
    sign_in_as(page, head)
    page.set_viewport_size(PHONE)
    page.goto("/home/")

    page.get_by_text("Bartholomew Featherstonehaugh", exact=True).click()

    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_in_viewport()
    box = page.locator(".account-menu ul").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    check_page(page, "account menu open")

    for name in ["Password", "Two-step sign-in", "Where you're signed in"]:
        page.goto("/home/")
        page.get_by_text("Bartholomew Featherstonehaugh", exact=True).click()
        page.get_by_role("link", name=name).click()
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
        check_page(page, name)
