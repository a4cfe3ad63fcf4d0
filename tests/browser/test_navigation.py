"""The site menu in a browser: one row on a 1280 px desktop, each group opening its
links (one group at a time); on a 375 px phone folded behind "Menu", with a short
header, opened with the keyboard and without JavaScript."""

import pytest
from playwright.sync_api import expect

from core.roles import Role

from ..conftest import make_member
from .menu import follow_menu

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def header_height(page):
    return page.locator("header.site-header").bounding_box()["height"]


def test_the_heads_menu_is_one_row_on_a_desktop_and_opens_one_group_at_a_time(page, check_page, sign_in_as, school):
    head = make_member(school, Role.HEADTEACHER, user__first_name="Bartholomew", user__last_name="Featherstonehaugh")
    sign_in_as(page, head)
    page.set_viewport_size(DESKTOP)
    page.goto(f"/s/{school.slug}/pupils/")

    nav = page.locator("nav.site-nav")
    expect(nav.locator("summary.site-menu__toggle")).to_be_hidden()
    tops = {round(box["y"]) for box in (s.bounding_box() for s in nav.locator(".site-menu__group").all())}
    assert len(tops) == 1, f"the menu wraps onto {len(tops)} rows"
    assert nav.bounding_box()["height"] < 60
    expect(nav.locator('summary[aria-current="true"]')).to_have_text("People")

    people = nav.locator("summary.nav-group__label", has_text="People")
    people.click()
    expect(nav.get_by_role("link", name="Staff", exact=True)).to_be_visible()
    check_page(page, "people open")
    nav.locator("summary.nav-group__label", has_text="Incidents").click()
    expect(nav.get_by_role("link", name="Staff", exact=True)).to_be_hidden()
    expect(nav.get_by_role("link", name="Incident log")).to_be_visible()

    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="Incident log")).to_be_hidden()
    expect(nav.locator("summary.nav-group__label", has_text="Incidents")).to_be_focused()

    follow_menu(page, "Settings", "Audit log")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Audit")
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Home")


def test_on_a_phone_the_menu_folds_away_and_opens_with_the_keyboard(page, check_page, sign_in_as, school):
    head = make_member(school, Role.HEADTEACHER, user__first_name="Bartholomew", user__last_name="Featherstonehaugh")
    sign_in_as(page, head)
    page.set_viewport_size(PHONE)
    page.goto(f"/s/{school.slug}/staff/")

    assert header_height(page) < 120, header_height(page)
    nav = page.locator("nav.site-nav")
    expect(nav.get_by_role("link", name="Staff", exact=True)).to_be_hidden()
    check_page(page, "menu closed")

    toggle = nav.locator("summary.site-menu__toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    people = nav.locator("summary.nav-group__label", has_text="People")
    expect(people).to_be_visible()
    people.focus()
    page.keyboard.press("Enter")
    staff = nav.get_by_role("link", name="Staff", exact=True)
    expect(staff).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    check_page(page, "menu open")

    nav.get_by_role("link", name="Parents and carers").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Parents")


def test_the_phone_menu_works_without_javascript(browser, live_server, settings, school):
    from django.test import Client

    from ..conftest import sign_in_with_mfa

    office = make_member(school, Role.OFFICE)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False, locale="en-GB")
    try:
        client = sign_in_with_mfa(Client(), office)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"/s/{school.slug}/")
        assert header_height(page) < 120
        follow_menu(page, "Equipment", "Lend a device")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Lend")
    finally:
        context.close()


@pytest.mark.parametrize("role", ["head", "teacher", "office", "parent"])
def test_each_roles_menu_looks_right_at_both_widths(role, page, check_page, sign_in_as, school, parent, pupil):
    users = {
        "head": lambda: make_member(school, Role.HEADTEACHER),
        "teacher": lambda: make_member(school, Role.TEACHER),
        "office": lambda: make_member(school, Role.OFFICE),
        "parent": lambda: parent,
    }
    sign_in_as(page, users[role]())
    start = "/family/" if role == "parent" else f"/s/{school.slug}/"
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(start)
        assert header_height(page) < (120 if viewport is PHONE else 130), (role, viewport, header_height(page))
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    check_page(page, f"{role} menu closed")
    page.set_viewport_size(DESKTOP)
    groups = page.locator("nav.site-nav summary.nav-group__label")
    if groups.count():
        groups.first.click()
        check_page(page, f"{role} first group open")
    page.set_viewport_size(PHONE)
    page.locator("nav.site-nav summary.site-menu__toggle").click()
    check_page(page, f"{role} phone menu open")
