"""Mobile phone permission slips and events in Chromium.

Phones, on a phone: a parent with parental responsibility asks for her son to bring a
phone, agreeing to the rules; the head approves it on the requests page; the office
sees the pupil on the list of pupils who hand phones in, and opens the printable page;
the parent sees "Approved".

Events, on a desktop: a teacher makes an event with pupils from two classes, checks
who may appear on the school website at it, and opens the do-not-photograph PDF.
Every page is checked with axe-core and for CSP errors."""

import datetime
import re

from playwright.sync_api import expect

from consent.models import PhonePermission, PhoneStatus, SchoolEvent
from core.roles import Role

from ..conftest import make_member
from ..consent.helpers import answer, published_form
from ..factories import GuardianshipFactory, PupilFactory, SchoolClassFactory, year_group
from .conftest import fill_date, wait_for_email
from .menu import follow_menu

PHONE = {"width": 375, "height": 812}


def no_sideways_scrolling(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_parent_asks_for_a_phone_the_head_approves_and_the_office_sees_the_list(
    page, fresh_page, check_page, sign_in_as, school, school_class
):
    head = make_member(school, Role.HEADTEACHER, user__first_name="Ignatius", user__last_name="Holloway")
    office = make_member(school, Role.OFFICE, user__first_name="Gwendolyn", user__last_name="Pryce")
    mother = make_member(
        school,
        Role.PARENT,
        user__first_name="Marguerite",
        user__last_name="Fenwick",
        user__email="marguerite.fenwick@example.org",
    )
    barnaby = PupilFactory(school=school, school_class=school_class, first_name="Barnaby", last_name="Fenwick")
    GuardianshipFactory(pupil=barnaby, carer=mother, parental_responsibility=True)
    PupilFactory(school=school, school_class=school_class, first_name="Clementine", last_name="Ashdown")

    # The mother, on her phone, from her family page.
    page.set_viewport_size(PHONE)
    sign_in_as(page, mother)
    page.goto("/family/")
    page.get_by_role("link", name=re.compile("bring a mobile phone to school", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mobile phones at school")
    card = page.locator("li.card").filter(has=page.get_by_role("heading", name="Barnaby Fenwick"))
    expect(card).to_contain_text("No phone")
    no_sideways_scrolling(page)
    check_page(page, "family phones before asking")

    card.get_by_role("link", name="Ask for Barnaby to bring a phone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A mobile phone for Barnaby")
    no_sideways_scrolling(page)
    check_page(page, "phone request form")
    page.get_by_label("Why does your child need to bring a phone?").fill(
        "Barnaby walks home alone on Tuesdays and Thursdays after football club."
    )
    page.get_by_label(re.compile("I agree to these rules")).check()
    page.get_by_label("Type your full name").fill("Marguerite Fenwick")
    page.get_by_role("button", name="Sign and send the request").click()

    expect(page.get_by_text("Thank you. The headteacher will look at your request for Barnaby.")).to_be_visible()
    card = page.locator("li.card").filter(has=page.get_by_role("heading", name="Barnaby Fenwick"))
    expect(card).to_contain_text("Waiting")
    expect(card).to_contain_text("Marguerite Fenwick asked on")
    permission = PhonePermission.objects.get()
    assert permission.status == PhoneStatus.REQUESTED and permission.pupil == barnaby and permission.carer == mother
    assert permission.signer_name == "Marguerite Fenwick"
    no_sideways_scrolling(page)
    check_page(page, "family phones waiting")

    # The head, on her phone, approves it on the requests page.
    head_page = fresh_page()
    head_page.set_viewport_size(PHONE)
    sign_in_as(head_page, head)
    head_page.goto(f"/s/{school.slug}/")
    follow_menu(head_page, "Consent", "Phones")
    expect(head_page.get_by_role("heading", level=1)).to_have_text("Pupils who hand in phones")
    expect(head_page.get_by_text("No pupil brings a phone at the moment.")).to_be_visible()
    check_page(head_page, "phone list empty for the head")
    head_page.get_by_role("link", name="Requests waiting for you (1)").click()
    expect(head_page.get_by_role("heading", level=1)).to_have_text("Phone requests to decide")
    request = head_page.get_by_role("region", name=re.compile("Barnaby Fenwick"))
    expect(request).to_contain_text("walks home alone on Tuesdays")
    expect(request).to_contain_text("Asked by Marguerite Fenwick")
    no_sideways_scrolling(head_page)
    check_page(head_page, "phone requests")
    request.get_by_label("Approve").check()
    request.get_by_role("button", name="Save the decision for Barnaby Fenwick").click()
    expect(head_page.get_by_text("Approved: Barnaby Fenwick. The family is emailed.")).to_be_visible()
    expect(head_page.get_by_text("No requests are waiting.")).to_be_visible()
    permission.refresh_from_db()
    assert permission.status == PhoneStatus.APPROVED and permission.decided_by == head
    assert "Barnaby" in wait_for_email("marguerite.fenwick@example.org").body
    check_page(head_page, "phone requests done")

    # The office sees Barnaby on the list, and opens the printable page.
    office_page = fresh_page()
    office_page.set_viewport_size(PHONE)
    sign_in_as(office_page, office)
    office_page.goto(f"/s/{school.slug}/")
    follow_menu(office_page, "Consent", "Phones")
    expect(office_page.get_by_role("heading", level=1)).to_have_text("Pupils who hand in phones")
    expect(office_page.get_by_text("1 pupil may bring a mobile phone")).to_be_visible()
    listed = office_page.get_by_role("region", name=f"Phones: {school_class.name}")
    expect(listed).to_contain_text("Barnaby Fenwick")
    expect(listed).not_to_contain_text("Clementine")
    expect(office_page.get_by_role("link", name=re.compile("Requests waiting"))).to_have_count(0)
    no_sideways_scrolling(office_page)
    check_page(office_page, "phone list for the office")
    office_page.get_by_role("link", name="Printable list").click()
    expect(office_page.get_by_role("heading", level=1)).to_have_text(f"{school.name}: phones handed in at the office")
    expect(office_page.get_by_role("table")).to_contain_text("Barnaby Fenwick")
    expect(office_page.get_by_role("table")).not_to_contain_text("Clementine")
    no_sideways_scrolling(office_page)
    check_page(office_page, "phone list printable")

    # The mother sees that it is approved.
    page.reload()
    card = page.locator("li.card").filter(has=page.get_by_role("heading", name="Barnaby Fenwick"))
    expect(card).to_contain_text("Approved")
    expect(card).to_contain_text("Barnaby may bring a phone")
    expect(card.get_by_role("button", name="Barnaby no longer brings a phone")).to_be_visible()
    no_sideways_scrolling(page)
    check_page(page, "family phones approved")


def test_a_teacher_makes_an_event_from_two_classes_and_checks_who_may_appear(
    page, check_page, sign_in_as, school, school_class
):
    head = make_member(school, Role.HEADTEACHER, user__first_name="Ignatius", user__last_name="Holloway")
    teacher = make_member(school, Role.TEACHER, user__first_name="Anwen", user__last_name="Trevelyan")
    form = published_form(school, head)
    rowan = SchoolClassFactory(school=school, name="Rowan", year_group=year_group(school, "4"))
    florentyna = PupilFactory(school=school, school_class=school_class, first_name="Florentyna", last_name="Achterberg")
    ezekiel = PupilFactory(school=school, school_class=school_class, first_name="Ezekiel", last_name="Nakamura")
    persephone = PupilFactory(school=school, school_class=rowan, first_name="Persephone", last_name="Oduya")
    lachlan = PupilFactory(school=school, school_class=rowan, first_name="Lachlan", last_name="Vasquez")
    theodora = PupilFactory(school=school, school_class=rowan, first_name="Theodora", last_name="Quennell")
    for n, (child, website) in enumerate(((florentyna, True), (persephone, True), (lachlan, False), (theodora, True))):
        carer = make_member(school, Role.PARENT, user__first_name="Carer", user__last_name=child.last_name)
        GuardianshipFactory(pupil=child, carer=carer)
        answer(carer, child, form, f"event-{n}", website=website)
    # Ezekiel's carers have not answered: he counts as no.

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_as(page, teacher)
    page.goto(f"/s/{school.slug}/consent/check/")
    page.get_by_role("link", name="pick the pupils taking part as an event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Events")
    check_page(page, "events empty")
    page.get_by_role("link", name="Add an event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an event")
    check_page(page, "event form empty")

    page.get_by_label("Name of the event").fill("Year 3 and 4 trip to the Tidewater Museum")
    fill_date(page, "Date of the event", "03/12/2026")
    page.get_by_label("Then list the pupils of").select_option(label=school_class.name)
    page.get_by_role("button", name="Save and list these pupils").click()
    added = page.get_by_role("group", name=f"Add from {school_class.name}")
    expect(added).to_be_visible()
    added.get_by_label(re.compile("Florentyna Achterberg")).check()
    added.get_by_label(re.compile("Ezekiel Nakamura")).check()
    page.get_by_label("Then list the pupils of").select_option(label="Rowan")
    page.get_by_role("button", name="Save and list these pupils").click()
    expect(page.get_by_role("group", name="Taking part (2)")).to_contain_text("Ezekiel Nakamura")
    added = page.get_by_role("group", name="Add from Rowan")
    expect(added).to_contain_text("Theodora Quennell")
    check_page(page, "event form listing Rowan")
    added.get_by_label(re.compile("Persephone Oduya")).check()
    added.get_by_label(re.compile("Lachlan Vasquez")).check()
    page.get_by_role("button", name="Save the event").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Events")
    expect(page.get_by_text("Saved Year 3 and 4 trip to the Tidewater Museum: 4 pupils.")).to_be_visible()
    event = SchoolEvent.objects.get()
    assert set(event.pupils.all()) == {florentyna, ezekiel, persephone, lachlan}
    assert event.date == datetime.date(2026, 12, 3) and event.created_by == teacher
    row = page.get_by_role("row", name=re.compile("Tidewater Museum"))
    expect(row).to_contain_text("03/12/2026")
    check_page(page, "events with the trip")

    row.get_by_role("link", name=re.compile("^Check")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who may appear?")
    page.get_by_label("Use of the photo").select_option(label="The school website")
    page.get_by_role("button", name="Check").click()
    may_not = page.get_by_role("region", name=re.compile("May NOT appear"))
    may = page.get_by_role("region", name=re.compile(r"^May appear"))
    expect(may_not).to_contain_text("Ezekiel Nakamura")
    expect(may_not).to_contain_text("Lachlan Vasquez")
    expect(may_not.get_by_role("listitem")).to_have_count(2)
    expect(may).to_contain_text("Florentyna Achterberg")
    expect(may).to_contain_text("Persephone Oduya")
    expect(may.get_by_role("listitem")).to_have_count(2)
    expect(page.get_by_text("Theodora")).to_have_count(0)
    check_page(page, "who may appear at the trip")
    page.set_viewport_size(PHONE)
    no_sideways_scrolling(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    pdf_link = may_not.get_by_role("link", name=re.compile("do not photograph", re.I))
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
