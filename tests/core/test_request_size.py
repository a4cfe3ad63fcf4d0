"""Request bodies are capped before anything reads them: a request that says it carries
more than MAX_REQUEST_BODY_BYTES is answered 413 at once, so a 40 MB anonymous POST is
never read, parsed or stored; uploads within the limit work as before."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart
from django.urls import reverse

from agreements.models import PaperScan, Signature
from tests.agreements.pdf_helpers import published_staff_form

MB = 1024 * 1024
BOUNDARY = "test-boundary-7f3a"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


class GuardedInput:
    """A WSGI input that counts what is read from it and fails the test if more than
    `allowed` bytes are asked for."""

    def __init__(self, body: bytes = b"", allowed: int = 0):
        self.body = body
        self.allowed = allowed
        self.read_bytes = 0

    def _take(self, size):
        size = len(self.body) - self.read_bytes if size is None or size < 0 else size
        if self.read_bytes + size > self.allowed:
            raise AssertionError(f"the body was read past {self.allowed} bytes")
        chunk = self.body[self.read_bytes : self.read_bytes + size]
        self.read_bytes += len(chunk)
        return chunk

    def read(self, size=-1):
        return self._take(size)

    def readline(self, size=-1):
        return self._take(size)


def test_a_40_mb_anonymous_post_to_verify_is_refused_without_reading_its_body(client, db):
    body = GuardedInput(allowed=0)

    response = client.post(
        "/verify/", data=b"", content_type=MULTIPART, CONTENT_LENGTH=str(40 * MB), **{"wsgi.input": body}
    )

    assert response.status_code == 413
    assert body.read_bytes == 0
    page = response.content.decode()
    assert "too large" in page
    assert "10 MB" in page


def test_the_limit_is_a_little_over_the_10_mb_uploads(settings):
    assert 10 * MB < settings.MAX_REQUEST_BODY_BYTES <= 12 * MB


def test_a_body_at_the_limit_is_let_through_and_one_byte_more_is_refused(client, db, settings):
    settings.MAX_REQUEST_BODY_BYTES = 2000
    small = b"code=ABCD"

    at_limit = client.post(
        "/verify/",
        data=b"",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="2000",
        **{"wsgi.input": GuardedInput(small, allowed=2000)},
    )
    over = client.post(
        "/verify/",
        data=b"",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="2001",
        **{"wsgi.input": GuardedInput(small, allowed=0)},
    )

    assert at_limit.status_code != 413
    assert over.status_code == 413


def test_a_chunked_body_without_a_length_is_never_read(client, db):
    """Django reads only as many bytes as Content-Length says (none when it is missing),
    so a chunked body cannot get round the limit."""
    body = GuardedInput(b"x" * (40 * MB), allowed=0)
    environ = {"wsgi.input": body, "HTTP_TRANSFER_ENCODING": "chunked", "CONTENT_TYPE": MULTIPART}

    response = client.generic("POST", "/verify/", **environ)

    assert response.status_code != 500
    assert body.read_bytes == 0


def test_an_upload_over_the_limit_is_refused_and_nothing_is_stored(client_for, school, office, teacher, settings):
    settings.MAX_REQUEST_BODY_BYTES = 64 * 1024
    form = published_staff_form(school)
    data = {
        "agreement": form.pk,
        "staff_member": teacher.memberships.get(school=school).pk,
        "typed_name": "Sam Jones",
        "signed_on": "02/03/2026",
        "submission_key": "paper-big",
        "scan": SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n" + b"0" * (100 * 1024)),
    }
    payload = encode_multipart(BOUNDARY, data)
    body = GuardedInput(payload, allowed=0)

    response = client_for(office).post(
        reverse("agreements:paper", args=[school.slug]),
        data=b"",
        content_type=MULTIPART,
        CONTENT_LENGTH=str(len(payload)),
        **{"wsgi.input": body},
    )

    assert response.status_code == 413
    assert body.read_bytes == 0
    assert not Signature.objects.exists()
    assert not PaperScan.objects.exists()


@pytest.fixture
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.mark.usefixtures("_private_media")
def test_an_upload_under_the_limit_still_works(client_for, school, office, teacher):
    form = published_staff_form(school)
    scan = b"%PDF-1.7\n" + b"0" * (9 * MB)

    response = client_for(office).post(
        reverse("agreements:paper", args=[school.slug]),
        {
            "agreement": form.pk,
            "staff_member": teacher.memberships.get(school=school).pk,
            "typed_name": "Sam Jones",
            "signed_on": "02/03/2026",
            "submission_key": "paper-ok",
            "scan": SimpleUploadedFile("scan.pdf", scan),
        },
    )

    assert response.status_code == 302
    assert PaperScan.objects.get().file.size == len(scan)


def test_a_pdf_checked_on_verify_under_the_limit_is_checked_as_before(client, db):
    upload = SimpleUploadedFile("agreement.pdf", b"%PDF-1.7\n" + b"0" * (5 * MB), content_type="application/pdf")

    response = client.post("/verify/", {"document": upload})

    assert response.status_code == 200
    assert "Check a signed agreement" in response.content.decode()
