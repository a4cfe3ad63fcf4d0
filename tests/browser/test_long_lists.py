"""A whole school's list in Chromium: the parents' form of a school of 60 pupils,
paged 50 at a time with its counts, page 2 through the pager, and the printed list of
who has not signed made by the worker (eager here) and downloaded from its progress
page. Every page is checked with axe-core and for CSP errors."""

import re

from playwright.sync_api import expect

from aup.models import Audience
from core.roles import Role

from ..agreements.test_compliance_audiences import publish_forms
from ..agreements.test_drilldown_scale import add_pupils, prepared_media  # noqa: F401 (fixture)
from ..conftest import make_member
from ..factories import SchoolClassFactory, year_group


def test_the_head_pages_through_who_has_not_signed_and_prints_it(
    page,
    check_page,
    sign_in_as,
    school,
    live_server,
    prepared_media,  # noqa: F811
):
    head = make_member(school, Role.HEADTEACHER)
    form = publish_forms(school, head, (Audience.PARENTS,))[Audience.PARENTS]
    oak = SchoolClassFactory(school=school, name="Oak", year_group=year_group(school, "3"))
    add_pupils(school, form, 62, school_class=oak, signed_every=31)  # 2 signed for, 60 outstanding

    sign_in_as(page, head)
    page.goto(f"/s/{school.slug}/compliance/{form.pk}/")
    expect(page.get_by_text("2 signed, 60 outstanding.")).to_be_visible()
    expect(page.get_by_text("Showing 1 to 50 of 60")).to_be_visible()
    check_page(page, "parents form page 1")

    pager = page.get_by_role("navigation", name="Pages of the people who have not signed")
    pager.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Showing 51 to 60 of 60")).to_be_visible()
    expect(page.get_by_role("cell", name="Pupil061, Sam")).to_be_visible()
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    check_page(page, "parents form page 2")

    page.get_by_role("button", name="Print this list (PDF)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Not signed yet")
    expect(page.get_by_text("It is ready: 60 rows.")).to_be_visible()
    check_page(page, "printed list ready")
    href = page.get_by_role("link", name="Download the PDF").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert re.search(r"/compliance/prints/\d+/file\.pdf$", href)
