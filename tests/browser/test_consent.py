"""Photo consent in Chromium, on a phone: a parent answers for two children at once,
then withdraws "the school website" for one of them; a teacher checks who may appear
on the website and finds that child on the may-NOT list; the head opens the consent
dashboard and the form editor. Every page is checked with axe-core and for CSP errors."""

import re

from playwright.sync_api import expect

from consent.models import ConsentRecord
from core.roles import Role

from ..conftest import make_member
from ..consent.helpers import published_form
from ..factories import GuardianshipFactory, PupilFactory
from .menu import follow_menu

PHONE = {"width": 375, "height": 812}


def no_sideways_scrolling(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_parent_answers_for_two_children_then_withdraws_and_staff_see_it_at_once(
    page, fresh_page, check_page, sign_in_as, school, school_class, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    head = make_member(school, Role.HEADTEACHER, user__first_name="Helen", user__last_name="Okafor")
    teacher = make_member(school, Role.TEACHER, user__first_name="Tom", user__last_name="Reid")
    form = published_form(school, head)
    mother = make_member(school, Role.PARENT, user__first_name="Sara", user__last_name="Khan")
    amelia = PupilFactory(school=school, school_class=school_class, first_name="Amelia", last_name="Khan")
    zain = PupilFactory(school=school, school_class=school_class, first_name="Zain", last_name="Khan")
    PupilFactory(school=school, school_class=school_class, first_name="Noah", last_name="Evans")  # no answer
    for child in (amelia, zain):
        GuardianshipFactory(pupil=child, carer=mother)

    # The mother, on her phone, from her family page.
    page.set_viewport_size(PHONE)
    sign_in_as(page, mother)
    page.goto("/family/")
    page.get_by_role("link", name=re.compile("say yes or no to each use", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Photo consent")
    expect(page.get_by_role("heading", name="Zain Khan")).to_be_visible()
    no_sideways_scrolling(page)
    check_page(page, "family consent home")

    page.get_by_role("link", name="Answer for Amelia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Photos of Amelia")
    no_sideways_scrolling(page)
    check_page(page, "answer form")

    # Saving with nothing chosen shows what is missing beside each question.
    page.get_by_label("Type your full name").fill("Sara Khan")
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator(".error-summary").get_by_text("Choose yes or no for “The school website”.")).to_be_visible()
    assert not ConsentRecord.objects.exists()
    no_sideways_scrolling(page)
    check_page(page, "answer form with errors")

    purposes = list(form.purposes.all())
    for purpose in purposes:
        answer = "No" if purpose.code == "press" else "Yes"
        page.get_by_role("group", name=purpose.label).get_by_label(answer, exact=True).check()
    page.get_by_label("Zain Khan").check()
    page.get_by_label("Type your full name").fill("Sara Khan")
    page.get_by_role("button", name="Save my answers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your answers are saved")
    expect(page.get_by_role("heading", name="Amelia Khan")).to_be_visible()
    expect(page.get_by_role("heading", name="Zain Khan")).to_be_visible()
    records = {r.pupil: r for r in ConsentRecord.objects.all()}
    assert set(records) == {amelia, zain}
    assert all(r.answers["website"] and not r.answers["press"] for r in records.values())
    no_sideways_scrolling(page)
    check_page(page, "receipt for both")

    # Later, she withdraws consent for the school website, for Zain only.
    page.get_by_role("link", name="Back to photo consent").click()
    expect(page.get_by_text("Answered").first).to_be_visible()
    check_page(page, "family consent home after answering")
    page.get_by_role("link", name="See or change your answers for Zain").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Photos of Zain")
    website = page.get_by_role("group", name="The school website")
    expect(website.get_by_label("Yes", exact=True)).to_be_checked()
    website.get_by_label("No", exact=True).check()
    page.get_by_label("Type your full name").fill("Sara Khan")
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your answers are saved")
    expect(page.get_by_role("heading", name="Amelia Khan")).to_have_count(0)
    expect(page.get_by_text(re.compile("The school website: No"))).to_be_visible()
    check_page(page, "receipt after withdrawing")
    latest = ConsentRecord.objects.filter(pupil=zain).latest("signed_at", "id")
    assert latest.answers["website"] is False and latest.supersedes_id == records[zain].pk

    # A teacher, on a phone, checks the class for the school website.
    teacher_page = fresh_page()
    teacher_page.set_viewport_size(PHONE)
    sign_in_as(teacher_page, teacher)
    teacher_page.goto(f"/s/{school.slug}/consent/")
    check_page(teacher_page, "dashboard for a teacher")
    teacher_page.get_by_role("link", name="Who may appear?").click()
    expect(teacher_page.get_by_role("heading", level=1)).to_have_text("Who may appear?")
    check_page(teacher_page, "check before choosing")
    teacher_page.get_by_label("Class, year group or event").select_option(label=school_class.name)
    teacher_page.get_by_label("Use of the photo").select_option(label="The school website")
    teacher_page.get_by_role("button", name="Check").click()
    may_not = teacher_page.get_by_role("region", name=re.compile("May NOT appear"))
    may = teacher_page.get_by_role("region", name=re.compile(r"^May appear"))
    expect(may_not).to_contain_text("Zain Khan")
    expect(may_not).to_contain_text("Noah Evans")
    expect(may_not).not_to_contain_text("Amelia")
    expect(may).to_contain_text("Amelia Khan")
    expect(may).not_to_contain_text("Zain")
    no_sideways_scrolling(teacher_page)
    check_page(teacher_page, "who may appear on the website")

    teacher_page.goto(f"/s/{school.slug}/consent/classes/{school_class.pk}/")
    expect(teacher_page.get_by_role("heading", level=1)).to_contain_text(school_class.name)
    no_sideways_scrolling(teacher_page)
    check_page(teacher_page, "class sheet")

    # The head opens the dashboard and the form editor (desktop).
    head_page = fresh_page()
    sign_in_as(head_page, head)
    head_page.goto(f"/s/{school.slug}/")
    follow_menu(head_page, "Consent", "Photo consent")
    expect(head_page.get_by_role("heading", level=1)).to_have_text("Photo consent")
    expect(head_page.get_by_role("region", name="Answers by class")).to_contain_text(school_class.name)
    check_page(head_page, "dashboard for the head")
    head_page.get_by_role("link", name="Edit the form").click()
    expect(head_page.get_by_role("heading", level=1)).to_have_text("The photo consent form")
    check_page(head_page, "editor before a draft")
    head_page.get_by_role("button", name="Start a new version").click()
    expect(head_page.get_by_text(re.compile("You are editing version 2"))).to_be_visible()
    check_page(head_page, "editor with a draft")

    head_page.set_viewport_size(PHONE)
    no_sideways_scrolling(head_page)
    head_page.goto(f"/s/{school.slug}/consent/pupils/{zain.pk}/")
    expect(head_page.get_by_role("heading", level=1)).to_have_text("Photo consent: Zain Khan")
    no_sideways_scrolling(head_page)
    check_page(head_page, "a pupil's answers")
