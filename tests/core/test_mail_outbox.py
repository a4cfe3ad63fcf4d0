"""In development, emails go to a local outbox the person can read: one console line
per message, and /dev/outbox/ (DEBUG only) with each message's text, clickable links
and attachments."""

import io
import re

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from core import mail_outbox

PDF = b"%PDF-1.7\n" + b"x" * 200_000  # a signed PDF is about this size


@pytest.fixture
def outbox(settings, tmp_path):
    settings.EMAIL_OUTBOX_DIR = tmp_path / "outbox"
    settings.EMAIL_BACKEND = "core.mail_outbox.EmailBackend"
    settings.SITE_URL = "http://localhost:8123"
    return settings.EMAIL_OUTBOX_DIR


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def _send(stream=None, subject="Your signed agreement", to="parent@example.com", with_pdf=True):
    message = EmailMultiAlternatives(
        subject=subject,
        body="Thank you for signing.\n\nCheck it at http://localhost:8123/verify/ABCD-1234/ any time.\n",
        to=[to],
    )
    message.attach_alternative("<p>Thank you for signing.</p>", "text/html")
    if with_pdf:
        message.attach("agreement.pdf", PDF, "application/pdf")
    connection = mail.get_connection(stream=stream or io.StringIO())
    assert isinstance(connection, mail_outbox.EmailBackend)
    return connection.send_messages([message])


def test_the_outbox_backend_stores_each_message_and_prints_one_line_for_it(outbox):
    stream = io.StringIO()

    assert _send(stream) == 1

    files = list(outbox.glob("*.eml"))
    assert len(files) == 1
    assert b"Thank you for signing." in files[0].read_bytes()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1, stream.getvalue()[:500]
    message_id = files[0].stem
    assert lines[0] == (
        f'Email to parent@example.com: "Your signed agreement" - read it at '
        f"http://localhost:8123/dev/outbox/{message_id}/"
    )


def test_the_outbox_page_lists_a_message_with_its_clickable_link_and_its_attachment(client, db, outbox, debug):
    _send()

    page = client.get("/dev/outbox/").content.decode()

    assert "Your signed agreement" in page
    assert "To</dt><dd>parent@example.com" in page
    assert '<a href="http://localhost:8123/verify/ABCD-1234/"' in page
    message_id = mail_outbox.message_ids()[0]
    download = reverse("core:dev_outbox_attachment", args=[message_id, 1])
    assert f'<a href="{download}" download>agreement.pdf</a>' in page
    response = client.get(download)
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="agreement.pdf"'


def test_the_outbox_page_lists_messages_newest_first(client, db, outbox, debug):
    _send(subject="The first email", with_pdf=False)
    _send(subject="The second email", with_pdf=False)

    page = client.get("/dev/outbox/").content.decode()

    assert page.index("The second email") < page.index("The first email")


def test_the_console_line_leads_to_the_message_page(client, db, outbox, debug):
    stream = io.StringIO()
    _send(stream)
    url = re.search(r"http://localhost:8123(/dev/outbox/\S+)", stream.getvalue()).group(1)

    page = client.get(url).content.decode()

    assert "<h1" in page and "Your signed agreement</h1>" in page
    assert "agreement.pdf" in page


def test_a_parent_finds_their_sign_in_code_in_the_outbox(client, parent, outbox, debug):
    client.post(reverse("account_request_login_code"), {"email": parent.email})

    page = client.get("/dev/outbox/").content.decode()

    assert parent.email in page
    code = re.search(r"Your sign-in code is listed below.*?\n\s*(\S+)\s*\n", page, re.S).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("core:home")).wsgi_request.user == parent


def test_the_outbox_pages_are_not_found_with_debug_off(client, db, outbox, settings):
    settings.DEBUG = False
    _send()
    message_id = mail_outbox.message_ids()[0]

    for url in ["/dev/outbox/", f"/dev/outbox/{message_id}/", f"/dev/outbox/{message_id}/attachments/1/"]:
        assert client.get(url).status_code == 404, url


def test_the_outbox_reads_nothing_but_its_own_messages(client, db, outbox, debug):
    _send()
    message_id = mail_outbox.message_ids()[0]
    (outbox.parent / "secret.eml").write_text("Subject: not from the outbox\n\nsecret")

    for url in [
        "/dev/outbox/..%2Fsecret/",
        "/dev/outbox/secret/",
        "/dev/outbox/20260101T000000000000-00000000/",
        f"/dev/outbox/{message_id}/attachments/2/",
    ]:
        assert client.get(url).status_code == 404, url


def test_the_outbox_page_says_so_when_there_are_no_emails(client, db, outbox, debug):
    assert "No emails yet." in client.get("/dev/outbox/").content.decode()
