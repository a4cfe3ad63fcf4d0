"""The office records a paper form in Chromium: chooses the form and the member of
staff, gives the date it was signed and attaches the scan; a fake scan is refused
beside the field. Every page is checked with axe-core and for CSP errors."""

import re

from playwright.sync_api import expect

from agreements.models import Method, PaperScan, Signature
from core.roles import Role

from ..agreements.signing_helpers import publish_staff_form
from ..conftest import make_member
from .conftest import fill_date

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_the_office_records_a_paper_form_with_its_scan(page, check_page, sign_in_as, school, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    head = make_member(school, Role.HEADTEACHER)
    office = make_member(school, Role.OFFICE, user__first_name="Olivia", user__last_name="Brown")
    teacher = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Shah")
    form = publish_staff_form(school, head)

    sign_in_as(page, office)
    page.goto(f"/s/{school.slug}/paper/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a paper form")
    check_page(page, "empty")

    # A text file called .pdf is refused beside the field, and nothing is saved.
    page.get_by_label("Which form was signed").select_option(value=str(form.pk))
    page.get_by_label("Member of staff who signed it").select_option(
        value=str(teacher.memberships.get(school=school).pk)
    )
    page.get_by_label("Name as written on the form").fill("Priya Shah")
    fill_date(page, "Date signed on the paper form", "02/03/2026")
    page.get_by_label("Scan of the signed form").set_input_files(
        files=[{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"not really a PDF"}]
    )
    page.get_by_role("button", name="Record the paper form").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.locator(".error-summary").get_by_text("The scan must be a PDF, PNG or JPEG file")).to_be_visible()
    assert not Signature.objects.exists()
    check_page(page, "fake scan refused")

    # The choices made are kept; attach the real scan.
    page.get_by_label("Scan of the signed form").set_input_files(
        files=[{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Record the paper form").click()
    expect(page.get_by_role("status")).to_contain_text("The paper form signed by Priya Shah is recorded")
    signature = Signature.objects.get()
    assert signature.method == Method.PAPER
    assert signature.signer == teacher
    assert signature.led_by == office
    expect(page.get_by_role("cell", name="02/03/2026")).to_be_visible()
    check_page(page, "recorded")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download the scan")).click()
    with open(download_info.value.path(), "rb") as scan:
        assert scan.read() == PDF
    assert PaperScan.objects.get().uploaded_by == office


def test_the_office_records_a_ks2_pupils_paper_form_on_a_phone(
    page, check_page, sign_in_as, school, settings, tmp_path
):
    from django.utils import timezone

    from aup.models import Audience

    from ..agreements.signing_helpers import publish_form_for
    from ..factories import PupilFactory, SchoolClassFactory

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    head = make_member(school, Role.HEADTEACHER)
    office = make_member(school, Role.OFFICE)
    pupil = PupilFactory(school=school, school_class=SchoolClassFactory(school=school, name="Oak"), first_name="Amelia")
    form = publish_form_for(school, head, Audience.KS2)
    page.set_viewport_size({"width": 375, "height": 740})

    sign_in_as(page, office)
    page.goto(f"/s/{school.slug}/paper/")
    page.get_by_label("Which form was signed").select_option(value=str(form.pk))
    page.get_by_label("Pupil the form is for").select_option(value=str(pupil.pk))
    page.get_by_label("Name as written on the form").fill(pupil.full_name)
    fill_date(page, "Date signed on the paper form", timezone.localdate().strftime("%d/%m/%Y"))
    page.get_by_label("Scan of the signed form").set_input_files(
        files=[{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    check_page(page, "pupils form filled in")
    page.get_by_role("button", name="Record the paper form").click()

    expect(page.get_by_role("status")).to_contain_text(f"The paper form signed by {pupil.full_name} is recorded")
    signature = Signature.objects.get()
    assert signature.method == Method.PAPER and signature.pupil == pupil and signature.signer is None
    check_page(page, "pupils form recorded")


def test_a_teacher_asks_for_an_exemption_and_the_head_approves_it(page, fresh_page, check_page, sign_in_as, school):
    from aup.models import Exemption, Policy

    head = make_member(school, Role.HEADTEACHER)
    teacher = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Shah")
    policy = Policy.objects.create(school=school, title="Mobile phones")

    sign_in_as(page, teacher)
    page.goto(f"/s/{school.slug}/exemptions/mine/")
    check_page(page, "mine empty")
    page.get_by_role("link", name="Ask for an exemption").click()
    page.get_by_label("Which policy").select_option(value=str(policy.pk))
    page.get_by_label("What you want to do, and why").fill(
        "Use my own phone to photograph pupils' artwork for the hall display."
    )
    check_page(page, "ask")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("status")).to_contain_text("Your request is sent to the headteacher")
    check_page(page, "asked")
    exemption = Exemption.objects.get()

    head_page = fresh_page()
    sign_in_as(head_page, head)
    head_page.goto(f"/s/{school.slug}/exemptions/")
    check_page(head_page, "queue")
    head_page.get_by_role("link", name=re.compile("photograph pupils")).click()
    head_page.get_by_label("Approve").check()
    head_page.get_by_label("Reason").fill("The school camera is being repaired.")
    head_page.get_by_role("button", name="Record my decision").click()
    expect(head_page.locator(".error-summary").get_by_text("Give the date the exemption ends.")).to_be_visible()
    check_page(head_page, "decide with errors")
    fill_date(head_page, "Exemption ends on", "31/07/2099")
    head_page.get_by_role("button", name="Record my decision").click()
    expect(head_page.get_by_role("status")).to_contain_text("Your decision is recorded")
    check_page(head_page, "decided")
    exemption.refresh_from_db()
    assert exemption.status == Exemption.Status.APPROVED

    page.goto(f"/s/{school.slug}/exemptions/mine/")
    expect(page.get_by_role("cell", name="Approved until 31/07/2099")).to_be_visible()
    check_page(page, "mine answered")
