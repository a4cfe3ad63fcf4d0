"""A pupil's whole record, opened as the head and as the class teacher, on a desktop
and on a phone: a summary at the top, a heading per section, tables that fit 375 px,
axe clean; the teacher sees only what her role opens. And the family view of the
child, as the parent sees it."""

import pytest
from playwright.sync_api import expect

from core.roles import Role

from ..conftest import make_member
from ..schools import record_builders as build

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def full_record(school, school_class, pupil, parent):
    build.whole_record(pupil, parent, 3)
    build.published_form(school, "ks2", title="Our ICT rules")
    build.incident(school, pupils=[pupil], reference="INC-2026-0777")
    return pupil


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_the_head_reads_a_pupils_whole_record(page, check_page, sign_in_as, school, full_record, viewport):
    sign_in_as(page, make_member(school, Role.HEADTEACHER))
    page.set_viewport_size(viewport)
    page.goto(f"/s/{school.slug}/pupils/{full_record.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(full_record.full_name)
    glance = page.get_by_role("navigation", name="At a glance")
    expect(glance).to_be_visible()
    for title in [
        "Parents and carers",
        "Agreements",
        "Photo consent",
        "Mobile phone",
        "Devices on loan",
        "Posts they appear in",
        "E-safety incidents",
    ]:
        expect(page.get_by_role("heading", name=title, level=2)).to_be_visible()
        expect(glance.get_by_role("link", name=title)).to_be_visible()
    expect(page.get_by_role("link", name="INC-2026-0777")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the record scrolls sideways"
    check_page(page, f"head-{viewport['width']}")

    # "At a glance" takes the reader to the section.
    glance.get_by_role("link", name="E-safety incidents").click()
    expect(page.get_by_role("heading", name="E-safety incidents", level=2)).to_be_in_viewport()

    # The family view the parent sees, from the carers' table.
    page.get_by_role("link", name=f"Family view of {full_record.guardianships.first().carer.full_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Family view")
    expect(page.get_by_role("heading", name="Photo consent", level=2)).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the family view scrolls sideways"
    check_page(page, f"head-family-{viewport['width']}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_the_class_teacher_reads_only_what_her_role_opens(
    page, check_page, sign_in_as, school, school_class, full_record, viewport
):
    teacher = make_member(school, Role.TEACHER)
    school_class.teachers.add(teacher.memberships.get(school=school))
    sign_in_as(page, teacher)
    page.set_viewport_size(viewport)
    page.goto(f"/s/{school.slug}/pupils/{full_record.pk}/")
    expect(page.get_by_role("heading", name="Photo consent", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="Posts they appear in", level=2)).to_be_visible()
    # The pupil's own forms, as the class's agreements page shows them; not the carers'.
    expect(page.get_by_role("heading", name="Agreements", level=2)).to_be_visible()
    expect(page.get_by_role("link", name="Class agreements")).to_be_visible()
    expect(page.get_by_text("Home-school agreement")).to_have_count(0)
    for hidden in ["Parents and carers", "Mobile phone", "Devices on loan", "E-safety incidents"]:
        expect(page.get_by_role("heading", name=hidden, level=2)).to_have_count(0)
    expect(page.get_by_text("INC-2026-0777")).to_have_count(0)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the record scrolls sideways"
    check_page(page, f"teacher-{viewport['width']}")


def test_the_parent_opens_everything_about_their_child_from_the_family_page(
    page, check_page, sign_in_as, school, full_record, parent
):
    sign_in_as(page, parent)
    page.goto("/family/")
    page.get_by_role("link", name=f"Everything about {full_record.first_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(full_record.full_name)
    for title in ["Forms to sign", "Photo consent", "Mobile phone", "Devices to sign for"]:
        expect(page.get_by_role("heading", name=title, level=2)).to_be_visible()
    page.set_viewport_size(PHONE)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the family view scrolls sideways"
    check_page(page, "parent-child")
