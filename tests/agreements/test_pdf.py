"""The signed PDF: made once by a task on commit, with the exact text, the signer, how
and when (UK time), the verification code and a QR code; emailed to the signer once."""

import datetime
import hashlib
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from pypdf import PdfReader

from agreements.models import SignedDocument
from agreements.pdf import render_pdf, signed_pdf_html
from agreements.tasks import render_signed_pdf

from .pdf_helpers import STATEMENTS, pdf_text, private_media, published_staff_form, sign  # noqa: F401

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def signed(school, teacher, django_capture_on_commit_callbacks):
    form = published_staff_form(school)
    moment = datetime.datetime(2026, 7, 14, 9, 5, tzinfo=datetime.UTC)  # 10:05 BST
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        signature = sign(form, teacher)
    return signature


def test_signing_stores_the_pdf_in_private_storage_with_its_hash(signed, settings):
    document = SignedDocument.objects.get(signature=signed)
    data = document.file.read()

    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == document.sha256
    assert document.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))


def test_the_pdf_read_back_has_the_school_policy_whole_text_signer_and_code(signed):
    text = pdf_text(signed.document.file.read())
    flat = " ".join(text.split())

    assert "Oakfield Primary School" in flat
    assert "ICT acceptable use, version 3" in flat
    assert "Staff ICT acceptable use agreement" in flat
    assert "Please read these statements carefully." in flat
    for number, statement in enumerate(STATEMENTS, start=1):
        assert f"{number}. {statement}" in flat
    assert "Jane Rebecca Smith" in flat
    assert "Signed in the portal" in flat
    assert signed.verification_code in flat
    assert "http://testserver/verify/" in flat


def test_until_the_task_has_run_the_pdf_page_says_it_is_being_prepared(client_for, school, teacher):
    form = published_staff_form(school)
    signature = sign(form, teacher)  # in the test's transaction: the on-commit task never runs

    response = client_for(teacher).get(f"/s/{school.slug}/signatures/{signature.pk}/pdf/")

    assert response.status_code == 202
    assert "being prepared" in response.content.decode()
    assert not SignedDocument.objects.filter(signature=signature).exists()


def test_the_date_and_time_are_in_uk_time_in_words(signed):
    flat = " ".join(pdf_text(signed.document.file.read()).split())

    assert "Tuesday 14 July 2026 at 10:05 BST" in flat


def test_winter_signatures_are_shown_in_gmt(school, teacher, django_capture_on_commit_callbacks):
    form = published_staff_form(school)
    with time_machine.travel(datetime.datetime(2026, 1, 6, 16, 30, tzinfo=ZoneInfo("Europe/London")), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            signature = sign(form, teacher)

    assert "Tuesday 6 January 2026 at 16:30 GMT" in " ".join(pdf_text(signature.document.file.read()).split())


def test_a_parent_signing_for_a_child_names_the_child(school, parent, pupil, django_capture_on_commit_callbacks):
    form = published_staff_form(school)
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(form, parent, typed_name="Sara Khan", method="for_child", pupil=pupil)

    flat = " ".join(pdf_text(signature.document.file.read()).split())
    assert "For whom Amelia Khan, their child" in flat
    assert "Signed by a parent or carer for their child" in flat


def test_a_class_session_names_the_teacher_who_led_it(school, teacher, pupil, django_capture_on_commit_callbacks):
    form = published_staff_form(school)
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(form, None, typed_name="Amelia Khan", method="class_session", pupil=pupil, led_by=teacher)

    flat = " ".join(pdf_text(signature.document.file.read()).split())
    assert f"Session led by {teacher.full_name}" in flat
    assert "Signed by the pupil in a class session" in flat


def test_a_drawn_signature_with_transparency_is_drawn_in_the_pdf(school, teacher, django_capture_on_commit_callbacks):
    import base64

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 80), (120, 20), (290, 70)], fill=(0, 0, 80, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    drawn = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    form = published_staff_form(school)

    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(form, teacher, drawn_signature=drawn)

    reader = PdfReader(io.BytesIO(signature.document.file.read()))
    # Pages share one resource dictionary, so each page lists the same image: distinct ones.
    images = list({image.name: image for page in reader.pages for image in page.images}.values())
    assert len(images) == 1
    assert images[0].image.size == (300, 100)


def test_the_pdf_embeds_the_shipped_dejavu_fonts_and_is_pdf_a(signed):
    data = signed.document.file.read()
    reader = PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))

    assert fonts and all("DejaVu-Sans" in name for name in fonts), fonts
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"


def test_the_fonts_the_template_asks_for_are_shipped_in_static_fonts(settings):
    import re

    from django.template.loader import get_template

    assert '{% extends "pdf_base.html" %}' in get_template("agreements/signed_pdf.html").template.source
    source = get_template("pdf_base.html").template.source  # the print CSS the signed records share
    urls = re.findall(r'src: url\("([^"]+)"\)', source)

    assert urls == ["static/fonts/DejaVuSans.ttf", "static/fonts/DejaVuSans-Bold.ttf"]
    for url in urls:
        assert (settings.BASE_DIR / url).read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType


def test_the_pdf_has_a_qr_code_of_the_verify_link_for_its_code(signed):
    import base64

    from agreements.pdf import signed_pdf_context

    context = signed_pdf_context(signed)
    html = signed_pdf_html(signed)

    assert context["verify_url"] == f"http://testserver/verify/?code={signed.verification_code}"
    assert f'<img class="qr" src="{context["qr_code"]}"' in html
    svg = base64.b64decode(context["qr_code"].removeprefix("data:image/svg+xml;base64,"))
    assert b"<svg" in svg and b"<path" in svg


def test_the_qr_code_svg_draws_exactly_the_modules_qrcode_computed():
    import base64
    import re

    import qrcode

    from agreements.pdf import qr_code_data_uri

    link = "http://testserver/verify/?code=ABCD-EFGH-JKMN"
    svg = base64.b64decode(qr_code_data_uri(link).split(",", 1)[1]).decode()
    expected = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    expected.add_data(link)
    expected.make(fit=True)
    matrix = expected.get_matrix()
    size = len(matrix)
    drawn = [[False] * size for _ in range(size)]
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        for dx in range(int(width)):
            drawn[int(y)][int(x) + dx] = True

    assert f'viewBox="0 0 {size} {size}"' in svg
    assert drawn == matrix


def test_the_signer_is_emailed_the_pdf_once(signed, teacher):
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [teacher.email]
    assert "Staff ICT acceptable use agreement" in message.subject
    assert signed.verification_code in message.body
    (filename, content, mimetype) = message.attachments[0]
    assert filename == f"{signed.verification_code}.pdf"
    assert mimetype == "application/pdf"
    assert hashlib.sha256(content).hexdigest() == signed.document.sha256
    assert message.alternatives[0][1] == "text/html"


def test_the_task_run_twice_makes_one_document_and_one_email(signed):
    render_signed_pdf(signed.pk)
    render_signed_pdf.delay(signed.pk)

    assert SignedDocument.objects.filter(signature=signed).count() == 1
    assert len(mail.outbox) == 1


def test_no_email_when_the_signer_has_no_account(school, pupil, teacher, django_capture_on_commit_callbacks):
    form = published_staff_form(school)
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(form, None, typed_name="Amelia Khan", method="class_session", pupil=pupil, led_by=teacher)

    assert SignedDocument.objects.filter(signature=signature).exists()
    assert mail.outbox == []


def test_a_failing_mail_server_does_not_lose_the_pdf(
    signed, school, teacher, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.agreements.test_pdf.BrokenBackend"
    form = published_staff_form(school, title="Another form")
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(form, teacher)

    assert SignedDocument.objects.filter(signature=signature).exists()


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_text_and_names_with_markup_are_printed_as_text(school, teacher):
    from agreements.models import FormText, Signature

    form = published_staff_form(school, title="Markup")
    signature = Signature(
        school=school,
        form=form,
        text=FormText(sha256="x" * 64, text="1. I will not type <b>bold</b> & stuff.\n"),
        method="self",
        signer=teacher,
        signer_name="Ann O'Brien <script>",
        statements_agreed=[1],
        academic_year=2026,
        signed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        verification_code="ABCD-EFGH-JKMN",
    )

    html = signed_pdf_html(signature)
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; stuff" in html
    assert "<script>" not in html
    flat = " ".join(pdf_text(render_pdf(html)).split())
    assert "I will not type <b>bold</b> & stuff." in flat
    assert "Ann O'Brien <script>" in flat
