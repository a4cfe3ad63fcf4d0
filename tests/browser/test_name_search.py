"""The office finds a pupil in a long list by typing part of a name."""

from playwright.sync_api import expect

from core.roles import Role

from ..conftest import make_member
from ..factories import PupilFactory

PHONE = {"width": 375, "height": 812}


def test_the_office_finds_a_pupil_by_name_in_a_long_list(page, check_page, sign_in_as, school, school_class):
    for i in range(80):
        PupilFactory(school=school, school_class=school_class, last_name=f"Adams{i:02}")
    PupilFactory(school=school, school_class=school_class, first_name="Amelia", last_name="Khan")
    page.set_viewport_size(PHONE)
    sign_in_as(page, make_member(school, Role.OFFICE))
    page.goto(f"/s/{school.slug}/pupils/")
    expect(page.get_by_role("link", name="Khan, Amelia")).to_have_count(0)  # not on the first page
    page.get_by_label("Name").fill("khan")
    page.get_by_label("Name").press("Enter")
    expect(page.get_by_role("status")).to_have_text("1 found for “khan”.")
    expect(page.get_by_role("link", name="Khan, Amelia")).to_be_visible()
    check_page(page, "pupil search")
    page.get_by_role("link", name="Show everyone").click()
    expect(page.get_by_label("Name")).to_have_value("")
