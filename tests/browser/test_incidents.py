"""An e-safety incident in Chromium, from the phone in a teacher's pocket to the
head's sign-off: the teacher reports with a screenshot on a phone-sized screen; the
DSL triages it as a safeguarding matter and refers it to the LADO; the head reviews
and closes it. Every page is checked with axe-core and for CSP errors."""

import io
import re

from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from core.models import AuditEvent
from core.roles import Role
from incidents.models import Incident

from ..conftest import make_member
from ..factories import PupilFactory
from .conftest import fill_date
from .menu import follow_menu

PHONE = {"width": 375, "height": 740}


def screenshot_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 120), (240, 240, 240)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_teacher_reports_the_dsl_refers_and_the_head_closes(
    page, fresh_page, check_page, sign_in_as, school, school_class, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    head = make_member(school, Role.HEADTEACHER, user__first_name="Helen", user__last_name="Okafor")
    dsl = make_member(school, Role.DSL, user__first_name="Dev", user__last_name="Patel")
    make_member(school, Role.ESAFETY_LEAD, user__first_name="Erin", user__last_name="Walsh")
    teacher = make_member(school, Role.TEACHER, user__first_name="Tom", user__last_name="Reid")
    school_class.teachers.add(teacher.memberships.get(school=school))  # a teacher picks from their own classes
    pupil = PupilFactory(school=school, school_class=school_class, first_name="Amelia", last_name="Khan")

    # The teacher, on a phone, from the school's home page.
    page.set_viewport_size(PHONE)
    sign_in_as(page, teacher)
    page.goto(f"/s/{school.slug}/")
    follow_menu(page, "Incidents", "Report an e-safety incident")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report an e-safety incident")
    check_page(page, "report form")

    # A fake screenshot is refused beside the field; nothing is filed.
    page.get_by_label("What kind of incident").select_option(label="Cyberbullying")
    page.get_by_label("What happened").fill("Amelia showed me unkind messages about her in the class group chat.")
    page.get_by_label("Pupils involved (optional)").fill(pupil.first_name)
    page.get_by_role("option", name=pupil.full_name).click()
    expect(page.get_by_role("button", name=f"Remove {pupil.full_name}")).to_be_visible()
    page.get_by_label("Screenshot or file (optional)").set_input_files(
        files=[{"name": "chat.png", "mimeType": "image/png", "buffer": b"not an image"}]
    )
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.locator(".error-summary").get_by_text("This file is not one of those")).to_be_visible()
    assert not Incident.objects.exists()
    check_page(page, "fake screenshot refused")

    page.get_by_label("Screenshot or file (optional)").set_input_files(
        files=[{"name": "chat.png", "mimeType": "image/png", "buffer": screenshot_png()}]
    )
    fill_date(page, "When the screenshot was taken", "05/01/2026 10:05")
    page.get_by_label("What the file shows (optional)").fill("The group chat")
    page.get_by_role("button", name="Send the report").click()
    incident = Incident.objects.get()
    expect(page.locator(".messages")).to_contain_text(f"Your report {incident.reference} has been sent")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Incident {incident.reference}")
    expect(page.get_by_role("heading", name="Add to your report")).to_be_visible()
    check_page(page, "reporter's view")

    # The DSL triages it as a safeguarding matter and refers it to the LADO.
    dsl_page = fresh_page()
    sign_in_as(dsl_page, dsl)
    dsl_page.goto(f"/s/{school.slug}/incidents/")
    check_page(dsl_page, "log")
    dsl_page.get_by_role("link", name=incident.reference).click()
    check_page(dsl_page, "incident before triage")
    triage = dsl_page.get_by_role("region", name="Triage")
    triage.get_by_label("How serious").select_option(label="High")
    triage.get_by_label("This is a safeguarding matter").check()
    triage.get_by_label("Who investigates").select_option(value=str(dsl.memberships.get(school=school).pk))
    triage.get_by_role("button", name="Save the triage").click()
    expect(dsl_page.locator(".messages")).to_contain_text("Triage recorded")

    entry = dsl_page.get_by_role("region", name="Add to the chronology")
    entry.get_by_role("radio", name="A referral").check()
    entry.get_by_label("Referred to (for a referral)").select_option(value="lado")
    entry.get_by_label("Details").fill("Spoke to the LADO, who will call back tomorrow.")
    entry.get_by_role("button", name="Add the entry").click()
    expect(dsl_page.locator(".error-summary").get_by_text("Enter the reference number you were given")).to_be_visible()
    check_page(dsl_page, "referral needs a reference")
    entry = dsl_page.get_by_role("region", name="Add to the chronology")
    entry.get_by_label("Their reference number (for a referral)").fill("LADO/2026/042")
    entry.get_by_role("button", name="Add the entry").click()
    expect(dsl_page.locator(".messages")).to_contain_text("Referral added")
    expect(dsl_page.get_by_text(re.compile("LADO.*reference LADO/2026/042"))).to_be_visible()

    status = dsl_page.get_by_role("region", name="Status")
    status.get_by_label("New status").select_option(value="awaiting_review")
    status.get_by_role("button", name="Change the status").click()
    expect(dsl_page.locator(".messages")).to_contain_text("awaiting the head's review")
    check_page(dsl_page, "after triage and referral")

    # The teacher's view shows nothing of the triage or the referral.
    page.reload()
    expect(page.get_by_text("LADO")).to_have_count(0)
    expect(page.get_by_text("Safeguarding")).to_have_count(0)

    # The head reviews and closes it.
    head_page = fresh_page()
    sign_in_as(head_page, head)
    head_page.goto(f"/s/{school.slug}/incidents/review/")
    check_page(head_page, "review queue")
    head_page.get_by_role("link", name=incident.reference).click()
    expect(head_page.get_by_role("heading", name="Who has read this record")).to_be_visible()
    with head_page.expect_download() as download_info:
        head_page.get_by_role("link", name=re.compile("The group chat")).click()
    with open(download_info.value.path(), "rb") as stored:
        assert stored.read() == screenshot_png()
    close = head_page.get_by_role("region", name="Sign off and close")
    close.get_by_label("Outcome").fill("Pupils spoken to; parents met; LADO advised no further action.")
    close.get_by_role("button", name="Sign off and close").click()
    expect(head_page.locator(".messages")).to_contain_text("signed off and closed")
    check_page(head_page, "closed")

    incident.refresh_from_db()
    assert (incident.status, incident.closed_by, incident.safeguarding) == ("closed", head, True)
    assert list(incident.entries.values_list("kind", flat=True)) == [
        "reported",
        "addition_by_reporter",
        "triage",
        "referral",
        "status_change",
        "outcome",
    ]
    readers = set(
        AuditEvent.objects.filter(action="incident.viewed", object_id=str(incident.pk)).values_list("actor", flat=True)
    )
    assert readers == {teacher.pk, dsl.pk, head.pk}


def test_a_governor_reads_the_termly_summary_and_its_pdf_names_nobody(
    page, check_page, sign_in_as, school, school_class, settings, tmp_path
):
    import io

    from pypdf import PdfReader

    from incidents import services

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    head = make_member(school, Role.HEADTEACHER)
    teacher = make_member(school, Role.TEACHER, user__first_name="Tom", user__last_name="Reid")
    governor = make_member(school, Role.GOVERNOR)
    pupil = PupilFactory(school=school, school_class=school_class, first_name="Amelia", last_name="Khan")
    for n, category in enumerate(["cyberbullying", "cyberbullying", "virus"]):
        incident = services.report_incident(
            school=school,
            reported_by=teacher,
            occurred_at=timezone.now(),
            category=category,
            description="Amelia Khan was sent unkind messages.",
            submission_key=f"summary-{n}",
            pupils=[pupil],
        )
    services.triage(incident=incident, by=head, severity="low", safeguarding=False)

    sign_in_as(page, governor)
    page.goto(f"/s/{school.slug}/")
    follow_menu(page, "Incidents", "E-safety summary")
    expect(page.get_by_role("heading", level=1)).to_contain_text("E-safety incidents")
    expect(page.get_by_role("img", name="Incidents reported per term")).to_be_visible()
    expect(page.get_by_text("Amelia")).to_have_count(0)
    check_page(page, "summary")

    href = page.get_by_role("link", name="Download as PDF").get_attribute("href")
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "Cyberbullying" in text
    for name in ("Amelia", "Khan", "Reid"):
        assert name not in text


def test_the_head_classes_a_member_of_staffs_misuse(page, check_page, sign_in_as, school, settings, tmp_path):
    from incidents import services

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    head = make_member(school, Role.HEADTEACHER)
    teacher = make_member(school, Role.TEACHER)
    subject = make_member(school, Role.SUPPORT_STAFF, user__first_name="Sam", user__last_name="Lee")
    incident = services.report_incident(
        school=school,
        reported_by=teacher,
        occurred_at=timezone.now(),
        category="misuse",
        description="Offensive jokes forwarded from a school email account.",
        submission_key="misuse",
        staff=[subject.memberships.get(school=school)],
    )
    services.triage(incident=incident, by=head, severity="medium", safeguarding=False)

    sign_in_as(page, head)
    page.goto(f"/s/{school.slug}/incidents/{incident.pk}/")
    misuse = page.get_by_role("region", name="Staff misuse")
    misuse.get_by_text("Classify the misuse and weigh the factors").click()
    misuse.get_by_role("radio", name=re.compile("^Serious")).check()
    misuse.get_by_label("Coercion (optional)").fill("None: acted alone.")
    misuse.get_by_label("Environment (optional)").fill("Staff room only; no pupils present.")
    check_page(page, "misuse form open")
    misuse.get_by_label("Sanction or outcome decided").fill("Written warning.")
    misuse.get_by_role("button", name="Record the classification").click()
    expect(page.locator(".messages")).to_contain_text("Staff misuse classed as serious")
    expect(page.get_by_text("Coercion: None: acted alone.")).to_be_visible()
    check_page(page, "misuse classified")
    response = page.request.get(page.get_by_role("link", name="Download the record (PDF)").get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF-")
