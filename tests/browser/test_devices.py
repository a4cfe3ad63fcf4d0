"""Device loans in Chromium: the office lends two laptops to a teacher, who signs one
receipt on the office screen (drawing a signature); the teacher returns one, signing
the return; the teacher sees what they still hold on a phone; the head sees the
overdue list and the leavers' equipment. Every page is checked with axe-core and for
CSP errors."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from aup.models import Audience
from core.roles import Role
from devices import services
from devices.models import DeviceStatus, Loan
from schools.models import Membership

from ..agreements.signing_helpers import publish_form_for, publish_staff_form
from ..conftest import make_member
from ..devices.conftest import lend_to, make_device, sign_staff_agreement
from .conftest import agree_to_each_section
from .menu import follow_menu

PHONE = {"width": 375, "height": 740}


def draw(page):
    canvas = page.locator("canvas[data-signature-canvas]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.6)
    page.mouse.down()
    for step in range(1, 10):
        page.mouse.move(box["x"] + 20 + step * 20, box["y"] + box["height"] * (0.6 - 0.3 * (step % 2)), steps=3)
    page.mouse.up()


def tick_conditions(page, conditions):
    agree_to_each_section(page, conditions)


def test_the_office_lends_two_laptops_the_teacher_signs_and_returns_one_and_the_head_sees_overdue(
    page, fresh_page, check_page, sign_in_as, school, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    head = make_member(school, Role.HEADTEACHER, user__first_name="Helen", user__last_name="Okafor")
    office = make_member(school, Role.OFFICE, user__first_name="Olive", user__last_name="Grant")
    teacher = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Sharma")
    late = make_member(school, Role.TEACHER, user__first_name="Leo", user__last_name="Marsh")
    staff_form = publish_staff_form(school, head)
    sign_staff_agreement(teacher, staff_form)
    sign_staff_agreement(late, staff_form)
    conditions = publish_form_for(school, head, Audience.LOANS, title="Equipment loans")
    first = make_device(school, "laptop", serial_number="DL-5440-0001", asset_tag="OAK-0001")
    second = make_device(school, "laptop", serial_number="DL-5440-0002", asset_tag="OAK-0002")
    tablet = make_device(school, "tablet", make="Apple", model="iPad (10th generation)", serial_number="IPAD-77")
    overdue = lend_to(school, office, late, [tablet], until_leaving=False, due_on=timezone.localdate())
    Loan.objects.filter(pk=overdue.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=5))
    Membership.objects.filter(user=late, school=school).update(
        leaving_date=timezone.localdate() + datetime.timedelta(days=20)
    )

    # The office finds the register and lends the two laptops to the teacher.
    sign_in_as(page, office)
    page.goto(f"/s/{school.slug}/")
    follow_menu(page, "Equipment", "Equipment register")
    expect(page.get_by_role("heading", level=1)).to_have_text("Equipment register")
    check_page(page, "register")
    page.get_by_role("link", name="Lend equipment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lend equipment")
    for device in (first, second):  # typed (or scanned) by asset tag, then Enter
        page.get_by_label("Devices", exact=True).fill(device.asset_tag)
        page.get_by_label("Devices", exact=True).press("Enter")
        expect(page.get_by_role("button", name=f"Remove {device.label}")).to_have_count(1)
    page.get_by_label("Member of staff").select_option(label="Priya Sharma")
    page.get_by_label("Until they leave the school").check()
    check_page(page, "lend form")
    page.get_by_role("button", name="Lend and ask for a signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Loan to Priya Sharma")
    expect(page.get_by_text("Awaiting signature", exact=True)).to_be_visible()
    check_page(page, "loan awaiting signature")

    # The office hands the screen to the teacher, who signs one receipt for both.
    page.get_by_role("link", name="Sign on this screen").click()
    expect(page.get_by_text("Please hand this screen to Priya Sharma.")).to_be_visible()
    expect(page.get_by_text(first.label)).to_be_visible()
    tick_conditions(page, conditions)
    page.get_by_label("Type your full name").fill("Priya Sharma")
    draw(page)
    check_page(page, "teacher signs on the office screen")
    page.get_by_role("button", name="Sign for the equipment").click()
    expect(page.get_by_role("status")).to_contain_text("the receipt is signed")
    loan = Loan.objects.exclude(pk=overdue.pk).get()
    receipt = loan.receipt_signature
    assert receipt.signer == teacher and receipt.drawn_signature
    assert receipt.details["devices"] == [first.label, second.label]
    check_page(page, "loan signed")

    # The teacher brings one laptop back and signs the return.
    page.get_by_role("link", name="Receive devices back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Receive devices back")
    returned = page.get_by_role("group", name=first.label)
    returned.get_by_label("Returned now").check()
    returned.get_by_label("Condition on return").fill("Good, small scratch on the lid")
    returned.get_by_label("Accessories returned").fill("Charger")
    tick_conditions(page, conditions)
    page.get_by_label("Type your full name").fill("Priya Sharma")
    check_page(page, "return form")
    page.get_by_role("button", name="Sign the return").click()
    expect(page.get_by_role("status")).to_contain_text("The return is recorded and signed")
    check_page(page, "loan after one return")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (DeviceStatus.AVAILABLE, DeviceStatus.ON_LOAN)

    # The first laptop's page shows who held it and both signatures.
    page.get_by_role("link", name=first.label).click()
    expect(page.get_by_role("heading", name="Who has held it")).to_be_visible()
    expect(page.get_by_role("cell", name="Priya Sharma")).to_be_visible()
    check_page(page, "device history")

    # The teacher, on a phone, sees the laptop they still hold.
    teacher_page = fresh_page()
    teacher_page.set_viewport_size(PHONE)
    sign_in_as(teacher_page, teacher)
    teacher_page.goto(f"/s/{school.slug}/")
    follow_menu(teacher_page, "Equipment", "My equipment")
    expect(teacher_page.get_by_text(f"{second.label}: with you")).to_be_visible()
    check_page(teacher_page, "my equipment on a phone")

    # The head sees the overdue list and the leavers' equipment.
    head_page = fresh_page()
    sign_in_as(head_page, head)
    head_page.goto(f"/s/{school.slug}/devices/")
    head_page.get_by_role("link", name="Overdue").click()
    expect(head_page.get_by_role("heading", level=1)).to_have_text("Overdue equipment")
    expect(head_page.get_by_role("cell", name="Leo Marsh")).to_be_visible()
    expect(head_page.get_by_role("link", name=tablet.label)).to_be_visible()
    check_page(head_page, "overdue")
    head_page.get_by_role("link", name="Leavers' equipment").click()
    expect(head_page.get_by_role("link", name=tablet.label)).to_be_visible()
    check_page(head_page, "leavers")
    head_page.goto(f"/s/{school.slug}/devices/{tablet.pk}/")
    check_page(head_page, "device on loan")
    head_page.get_by_role("link", name="Report lost or stolen").click()
    check_page(head_page, "report lost form")
    head_page.goto(f"/s/{school.slug}/devices/{first.pk}/dispose/")
    check_page(head_page, "dispose form")
    head_page.goto(f"/s/{school.slug}/devices/add/")
    check_page(head_page, "add device form")
    head_page.goto(f"/s/{school.slug}/devices/settings/")
    expect(head_page.get_by_label("Laptops must be encrypted before they are lent")).to_be_checked()
    check_page(head_page, "lending rules")
    assert services.loan_conditions(school) == conditions

    # A label's QR code opens the device's page on a phone.
    head_page.set_viewport_size(PHONE)
    head_page.goto(f"/s/{school.slug}/devices/{first.pk}/")
    expect(head_page.get_by_role("main").get_by_text("DL-5440-0001", exact=True)).to_be_visible()
    check_page(head_page, "device page from its QR code on a phone")

    # The head imports the old spreadsheet: a dry run with a problem, then the import.
    head_page.set_viewport_size({"width": 1280, "height": 800})
    head_page.goto(f"/s/{school.slug}/devices/")
    head_page.get_by_role("link", name="Import a spreadsheet").click()
    csv = "Type,Make,Model,Serial number,Encrypted\nLaptop,HP,ProBook,HP-1,yes\nToaster,Acme,,AC-1,no\n"
    head_page.get_by_label("The register as a CSV file").set_input_files(
        files=[{"name": "register.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    head_page.get_by_role("button", name="Check the file").click()
    expect(head_page.get_by_text("Type “Toaster” is not one we know")).to_be_visible()
    check_page(head_page, "import dry run with a problem")
    head_page.get_by_label("The register as a CSV file").set_input_files(
        files=[{"name": "register.csv", "mimeType": "text/csv", "buffer": csv.replace("Toaster", "Tablet").encode()}]
    )
    head_page.get_by_role("button", name="Check the file").click()
    check_page(head_page, "import dry run")
    head_page.get_by_role("button", name="Add 2 devices to the register").click()
    expect(head_page.get_by_role("status")).to_contain_text("2 devices added to the register")

    # The annual check, on a phone: tick a device seen.
    head_page.set_viewport_size(PHONE)
    head_page.get_by_role("link", name="Annual check").click()
    head_page.get_by_role("button", name="Start the check").click()
    expect(head_page.get_by_role("strong")).to_have_text("0 of 5")
    check_page(head_page, "annual check on a phone")
    head_page.get_by_role("button", name=f"Seen: {first.label}").click()
    expect(head_page.get_by_role("status")).to_contain_text(f"Seen: {first.label}")
    expect(head_page.get_by_role("strong")).to_have_text("1 of 5")
