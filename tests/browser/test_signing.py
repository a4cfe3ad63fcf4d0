"""A teacher opens the policy on the signing page, reads it and signs the staff
agreement in Chromium (a tick for each section, their typed name, a signature drawn
with the mouse) and downloads the signed PDF; the head then sees it on the compliance
dashboard. Every page is checked with axe-core and for CSP errors."""

import re

from playwright.sync_api import expect

from agreements import services
from agreements.models import Signature
from core.roles import Role

from ..agreements.pdf_helpers import private_media  # noqa: F401  (a fixture)
from ..agreements.signing_helpers import publish_new_version, publish_staff_form
from ..conftest import make_member
from ..policy_helpers import LONG_POLICY_TEXT
from .conftest import agree_to_each_section, section_labels
from .menu import follow_menu


def test_a_teacher_signs_and_downloads_the_pdf_and_the_head_sees_it(
    page,
    fresh_page,
    check_page,
    sign_in_as,
    school,
    private_media,  # noqa: F811
):
    head = make_member(school, Role.HEADTEACHER, staff_type="leadership")
    teacher = make_member(school, Role.TEACHER, staff_type="teaching", user__first_name="Priya", user__last_name="Shah")
    make_member(school, Role.SUPPORT_STAFF, staff_type="support")
    form = publish_staff_form(
        school,
        head,
        title="ICT and mobile phone acceptable use",
        body=LONG_POLICY_TEXT,
        summary="How we all use the school's computers, email, internet and phones safely.",
    )
    version = form.version
    version.refresh_from_db()

    # The home page asks the teacher to sign, naming the policy first.
    sign_in_as(page, teacher)
    page.goto("/")
    page.get_by_role("link", name=f"Sign ICT and mobile phone acceptable use: {form.title} (version 1)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(form.title)
    canvas = page.locator("canvas[data-signature-canvas]")
    expect(canvas).to_be_visible()  # the script showed the optional drawing box

    # The policy is on the page: its summary, and the text one tap away.
    policy = page.get_by_role("region", name="The policy: ICT and mobile phone acceptable use, version 1")
    expect(policy).to_contain_text("How we all use the school's computers")
    expect(policy.get_by_role("heading", name="3. Unacceptable use")).to_be_hidden()
    check_page(page, "sign")
    policy.get_by_text("Read the policy").click()
    contents = policy.get_by_role("navigation", name="Contents of the policy")
    expect(contents).to_be_visible()
    contents.get_by_role("link", name="4. Monitoring").click()
    expect(policy.get_by_role("heading", name="4. Monitoring")).to_be_in_viewport()
    expect(policy.get_by_text("Ask the headteacher in writing")).to_be_visible()
    check_page(page, "sign with the policy open")

    # Pressing Sign with nothing done explains what is missing.
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.locator(".error-summary").get_by_text("Type your full name to sign.")).to_be_visible()
    check_page(page, "sign with errors")

    agree_to_each_section(page, form)
    page.get_by_label("Type your full name").fill("Priya Shah")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.6)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 20, box["y"] + box["height"] * (0.6 - 0.3 * (step % 2)), steps=3)
    page.mouse.up()
    page.get_by_role("button", name="Sign").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Signed: {form.title}")
    expect(page.get_by_role("status")).to_contain_text("Your signature is recorded")
    signature = Signature.objects.get()
    assert signature.signer == teacher
    assert signature.drawn_signature.startswith("data:image/png;base64,")
    # The record says which policy was in front of them, and when they opened it.
    assert signature.statements_agreed == [s.number for s in form.statements.all()]
    assert signature.policy_body_sha256 == version.body_sha256 != ""
    assert signature.policy_presented_at <= signature.policy_opened_at <= signature.signed_at
    expect(page.get_by_role("img", name="The signature Priya Shah drew")).to_be_visible()
    check_page(page, "receipt")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the signed PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"{signature.verification_code}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.get_by_role("link", name="All your signed agreements").click()
    expect(page.get_by_role("cell", name=re.compile(re.escape(signature.verification_code)))).to_be_visible()
    check_page(page, "my agreements")

    # The head opens the dashboard from the school's navigation.
    head_page = fresh_page()
    sign_in_as(head_page, head)
    head_page.goto(f"/s/{school.slug}/")
    follow_menu(head_page, "Agreements", "Signed agreements")
    expect(head_page.get_by_role("heading", level=1)).to_have_text("Signed agreements")
    expect(head_page.get_by_text("1 of 3 signed (33%)")).to_be_visible()
    expect(head_page.get_by_role("row", name=re.compile("Teaching staff"))).to_contain_text("100% signed")
    check_page(head_page, "compliance")

    head_page.get_by_role("link", name=re.compile("^See who has signed")).click()
    expect(head_page.get_by_role("heading", level=1)).to_have_text(form.title)
    expect(head_page.get_by_role("link", name="Shah, Priya")).to_be_visible()
    check_page(head_page, "compliance form")

    head_page.get_by_role("link", name="Shah, Priya").click()
    expect(head_page.get_by_role("heading", level=1)).to_have_text("Signed agreements: Priya Shah")
    check_page(head_page, "person agreements")


def test_a_teacher_who_signed_the_old_version_sees_what_changed_and_signs_with_the_keyboard(
    page,
    check_page,
    sign_in_as,
    school,
    private_media,  # noqa: F811
):
    head = make_member(school, Role.HEADTEACHER, staff_type="leadership")
    teacher = make_member(school, Role.TEACHER, staff_type="teaching", user__first_name="Tom", user__last_name="Reid")
    old_form = publish_staff_form(school, head)
    services.sign(
        form=old_form,
        signer=teacher,
        typed_name="Tom Reid",
        statements_agreed=[s.number for s in old_form.statements.all()],
        submission_key="old-version",
    )
    statements = [s.text for s in old_form.statements.all()]
    form = publish_new_version(old_form, head, statements=[*statements[:-1], "I will lock my laptop away at night."])

    sign_in_as(page, teacher)
    page.goto(f"/s/{school.slug}/sign/{old_form.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This form has been replaced")
    check_page(page, "replaced")
    page.get_by_role("link", name=re.compile("Read and sign the current version")).click()

    changes = page.get_by_role("region", name="What has changed since you last signed")
    expect(changes).to_contain_text("I will lock my laptop away at night.")
    expect(changes).to_contain_text("Removed:")
    check_page(page, "sign again")

    # Keyboard only: Tab to each section's box, Space to tick, type the name, Enter to sign.
    labels = section_labels(form)
    page.get_by_label(labels[0], exact=True).focus()
    for label in labels:
        expect(page.get_by_label(label, exact=True)).to_be_focused()
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
    expect(page.get_by_label("Type your full name")).to_be_focused()
    page.keyboard.type("Tom Reid")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Signed: {form.title}")
    assert Signature.objects.filter(form=form, signer=teacher, drawn_signature="").count() == 1


def test_the_sign_button_can_be_pressed_only_once(page, sign_in_as, school, private_media):  # noqa: F811
    head = make_member(school, Role.HEADTEACHER)
    teacher = make_member(school, Role.TEACHER)
    form = publish_staff_form(school, head)
    sign_in_as(page, teacher)
    page.goto(f"/s/{school.slug}/sign/{form.pk}/")
    agree_to_each_section(page, form)
    page.get_by_label("Type your full name").fill("Jo Teacher")
    # Hold the submission in the page (registered after sign.js, so sign.js sees it first).
    page.evaluate("document.querySelector('form[data-sign-form]').addEventListener('submit', e => e.preventDefault())")
    button = page.get_by_role("button", name="Sign")
    button.click()
    expect(page.locator("[data-sign-submit]")).to_be_disabled()
    expect(page.locator("[data-sign-submit]")).to_have_text("Signing…")
    assert not Signature.objects.exists()


def test_the_receipt_takes_a_teacher_on_to_the_next_form_to_sign(
    page,
    check_page,
    sign_in_as,
    school,
    private_media,  # noqa: F811
):
    from django.urls import reverse

    from ..agreements.signing_helpers import sign_as

    head = make_member(school, Role.HEADTEACHER)
    teacher = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Shah")
    signed = sign_as(publish_staff_form(school, head, title="ICT acceptable use"), teacher)
    phones = publish_staff_form(school, head, title="Mobile phones")

    sign_in_as(page, teacher)
    page.goto(reverse("agreements:receipt", args=[school.slug, signed.pk]))
    expect(page.get_by_role("heading", name="Next to sign")).to_be_visible()
    check_page(page, "receipt with next to sign")
    page.get_by_role("link", name="Read and sign it now").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(phones.title)
    assert page.url.endswith(reverse("agreements:sign", args=[school.slug, phones.pk]))


def test_a_policy_uploaded_as_a_pdf_opens_inside_the_sign_page(
    page, check_page, sign_in_as, school, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    head = make_member(school, Role.HEADTEACHER)
    teacher = make_member(school, Role.TEACHER)
    from weasyprint import HTML

    pdf = HTML(string="<h1>ICT acceptable use policy</h1><p>How we all use ICT safely.</p>").write_pdf()
    form = publish_staff_form(
        school,
        head,
        body="",
        summary="The governors' policy document: how we all use ICT safely.",
        document=SimpleUploadedFile("ict-policy.pdf", pdf),
        document_name="ict-policy.pdf",
    )
    sign_in_as(page, teacher)
    page.goto(f"/s/{school.slug}/sign/{form.pk}/")
    policy = page.get_by_role("region", name="The policy: ICT acceptable use, version 1")
    expect(policy).to_contain_text("The governors' policy document")
    frame = policy.locator("iframe.policy-pdf")
    expect(frame).not_to_have_attribute("src", re.compile("."))  # not loaded until opened
    with page.expect_response(re.compile(r"/policy/$")) as loaded:
        policy.get_by_text("Read the policy document (PDF)").click()
    assert loaded.value.status == 200
    assert loaded.value.headers["x-frame-options"] == "SAMEORIGIN"
    expect(policy.get_by_role("link", name=re.compile("Open the policy document on its own"))).to_be_visible()
    check_page(page, "sign with the pdf open")  # no CSP error: the frame is allowed
    agree_to_each_section(page, form)
    page.get_by_label("Type your full name").fill("Jo Teacher")
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Signed: {form.title}")
    signature = Signature.objects.get()
    assert signature.policy_document_sha256 and signature.policy_opened_at
