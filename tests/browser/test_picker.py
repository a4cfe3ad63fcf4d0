"""The type-ahead picker in Chromium: the DSL triages a safeguarding incident with the
keyboard alone, adding two pupils by typing and removing one; the office lends three
devices found by their asset tags (typed, then Enter, as a barcode scanner does) to a
carer found by name. Checked with axe-core at 1280 and 375 px."""

from playwright.sync_api import expect

from aup.models import Audience
from core import picker
from core.roles import Role
from devices.models import Loan
from incidents import services as incidents
from incidents.models import Incident
from tests.agreements.signing_helpers import publish_form_for
from tests.conftest import make_member
from tests.devices.conftest import make_device
from tests.factories import GuardianshipFactory, PupilFactory, SchoolClassFactory

PHONE = {"width": 375, "height": 740}


def test_the_dsl_triages_a_safeguarding_incident_adding_two_pupils_and_removing_one_by_keyboard(
    page, check_page, sign_in_as, school, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    dsl = make_member(school, Role.DSL, user__first_name="Dina", user__last_name="Shah")
    teacher = make_member(school, Role.TEACHER)
    oak = SchoolClassFactory(school=school, name="Oak")
    tom = PupilFactory(school=school, school_class=oak, first_name="Tom", last_name="Baker")
    tamsin = PupilFactory(school=school, school_class=oak, first_name="Tamsin", last_name="Bright")
    for n in range(30):
        PupilFactory(school=school, school_class=oak, first_name=f"Pupil{n}", last_name="Other")
    from django.utils import timezone

    incident = incidents.report_incident(
        school=school,
        reported_by=teacher,
        occurred_at=timezone.now(),
        category="cyberbullying",
        description="Messages in a group chat.",
        submission_key="picker-triage",
    )
    sign_in_as(page, dsl)
    page.goto(f"/s/{school.slug}/incidents/{incident.pk}/")
    box = page.get_by_label("Pupils involved", exact=True)
    box.focus()
    for name, pupil in (("Tom", tom), ("Tams", tamsin)):
        page.keyboard.type(name)
        expect(page.get_by_role("option", name=pupil.full_name)).to_be_visible()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name=f"Remove {pupil.full_name}")).to_be_visible()
        expect(box).to_have_value("")
    check_page(page, "triage with two pupils")
    # Tab from the box reaches the first tag's button; Enter removes Tom Baker only.
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Remove Tom Baker")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Remove Tom Baker")).to_have_count(0)
    expect(page.get_by_role("button", name="Remove Tamsin Bright")).to_be_focused()
    expect(page.locator(".picker > [aria-live]").first).to_contain_text("Tom Baker removed")
    page.get_by_label("How serious").focus()
    page.keyboard.type("High")
    page.get_by_label("This is a safeguarding matter").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save the triage").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Triage recorded.")).to_be_visible()
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.safeguarding
    assert list(incident.pupils.all()) == [tamsin]
    check_page(page, "triaged")


def test_the_office_lends_three_devices_found_by_asset_tag_to_a_carer_found_by_name(
    page, check_page, sign_in_as, school, settings, tmp_path, monkeypatch
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    # Even a short list is searched here, as in a school of hundreds.
    monkeypatch.setattr(picker, "SHORT_LIST", 0)
    head = make_member(school, Role.HEADTEACHER)
    office = make_member(school, Role.OFFICE, user__first_name="Olive", user__last_name="Grant")
    publish_form_for(school, head, Audience.LOANS, title="Equipment loans")
    oak = SchoolClassFactory(school=school, name="Oak")
    child = PupilFactory(school=school, school_class=oak, first_name="Tom", last_name="Baker")
    carer = make_member(school, Role.PARENT, user__first_name="Sarah", user__last_name="Baker")
    GuardianshipFactory(pupil=child, carer=carer, relationship="mother")
    devices = [
        make_device(school, "tablet", make="Apple", model="iPad", serial_number=f"IPAD-{n}", asset_tag=f"OAK-00{n}")
        for n in range(1, 6)
    ]
    sign_in_as(page, office)
    page.goto(f"/s/{school.slug}/devices/lend/")
    box = page.get_by_label("Devices", exact=True)
    for device in devices[:3]:
        box.fill(device.asset_tag)
        box.press("Enter")
        expect(page.get_by_role("button", name=f"Remove {device.label}")).to_have_count(1)
    expect(page.locator(".picker__tag")).to_have_count(3)
    assert page.url.endswith("/devices/lend/")  # Enter added; it did not send the form
    check_page(page, "lend three devices")
    borrower = page.get_by_label("Or a pupil, signed for by their carer")
    borrower.fill("Sarah")
    expect(page.get_by_role("option", name="Sarah Baker for Tom Baker")).to_be_visible()
    page.set_viewport_size(PHONE)
    check_page(page, "lend open list")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("option", name="Sarah Baker for Tom Baker").click()
    page.get_by_label("Until they leave the school").check()
    page.get_by_role("button", name="Lend and ask for a signature").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Loan to")
    loan = Loan.objects.get()
    assert loan.carer == carer and loan.pupil == child
    assert sorted(i.device.asset_tag for i in loan.items.all()) == ["OAK-001", "OAK-002", "OAK-003"]
