"""The head's compliance dashboard in Chromium: every audience with its chart, a
drill-down into one class of the parents' form, "remind now" for that class, and
the printable PDF. Every page is checked with axe-core and for CSP errors."""

import re

from playwright.sync_api import expect

from aup.models import Audience
from core.roles import Role

from ..agreements.test_compliance_audiences import _sign, publish_forms, read_aloud
from ..conftest import make_member
from ..factories import GuardianshipFactory, PupilFactory, SchoolClassFactory, year_group
from .menu import follow_menu


def test_the_head_drills_into_a_class_reminds_its_parents_and_prints_the_dashboard(
    page, check_page, sign_in_as, school, live_server
):
    head = make_member(school, Role.HEADTEACHER)
    teacher = make_member(school, Role.TEACHER, staff_type="teaching")
    forms = publish_forms(school, head)
    oak = SchoolClassFactory(school=school, name="Oak", year_group=year_group(school, "3"))
    ash = SchoolClassFactory(school=school, name="Ash", year_group=year_group(school, "R"))
    oak_pupils = [PupilFactory(school=school, school_class=oak, last_name=f"Oakley{i}") for i in range(3)]
    PupilFactory(school=school, school_class=ash)
    carers = [GuardianshipFactory(pupil=p, relationship="mother").carer for p in oak_pupils]
    _sign(forms[Audience.PARENTS], pupil=oak_pupils[0], signer=carers[0])
    read_aloud(forms[Audience.KS2], oak_pupils[1], teacher)

    sign_in_as(page, head)
    page.goto(f"/s/{school.slug}/compliance/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signed agreements")
    parents = page.get_by_role("region", name=re.compile("Parent and carer agreement.*by group"))
    expect(parents.get_by_role("row", name=re.compile("^Oak"))).to_contain_text("33% signed")
    check_page(page, "dashboard")

    parents.get_by_role("link", name="Oak", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("class Oak")
    expect(page.get_by_text("1 signed, 2 outstanding in class Oak")).to_be_visible()
    expect(page.get_by_role("link", name=carers[1].email)).to_be_visible()
    check_page(page, "parents of Oak")

    page.get_by_role("button", name=re.compile("Remind now")).click()
    expect(page.get_by_role("status")).to_contain_text("2 people will be reminded")
    expect(page.get_by_role("heading", level=1)).to_contain_text("class Oak")
    check_page(page, "reminded")

    follow_menu(page, "Agreements", "Signed agreements")
    href = page.get_by_role("link", name="Print (PDF)").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_a_trust_officer_compares_the_schools_and_opens_one(
    page, check_page, sign_in_as, school, sister_school, trust_officer
):
    head = make_member(school, Role.HEADTEACHER)
    publish_forms(school, head, (Audience.STAFF, Audience.PARENTS, Audience.VISITORS))
    publish_forms(sister_school, make_member(sister_school, Role.HEADTEACHER), (Audience.STAFF,))
    pupil = PupilFactory(school=school, school_class=SchoolClassFactory(school=school, name="Oak"))
    _sign(
        forms_parents := publish_forms(school, head, (Audience.PARENTS,), title="Mobile phones")[Audience.PARENTS],
        pupil=pupil,
        signer=GuardianshipFactory(pupil=pupil).carer,
    )
    assert forms_parents

    sign_in_as(page, trust_officer)
    page.goto("/home/")
    page.get_by_role("link", name=re.compile("Signed agreements across")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signed agreements across")
    expect(page.get_by_role("heading", name=sister_school.name)).to_be_visible()
    check_page(page, "trust roll-up")
    page.get_by_role("link", name=re.compile(f"Open the dashboard of {school.name}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signed agreements")
    check_page(page, "school from the trust")
