"""Incidents for the tests, made through the services as the pages make them."""

import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from core.roles import Role
from incidents import services
from tests.conftest import make_member

_keys = itertools.count(1)


def png_bytes(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name="screenshot.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def report(school, reporter, **fields):
    """An incident reported by `reporter` through the service."""
    values = {
        "occurred_at": timezone.now(),
        "category": "cyberbullying",
        "description": "Unkind messages about a pupil in the class group chat.",
        "submission_key": f"test-{next(_keys)}",
    }
    values.update(fields)
    return services.report_incident(school=school, reported_by=reporter, **values)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def reporter(school):
    # A distinctive name, so tests can check it appears nowhere it must not.
    return make_member(school, Role.TEACHER, user__first_name="Quentin", user__last_name="Zabrowski")


@pytest.fixture
def incident(school, reporter, pupil):
    return report(school, reporter, pupils=[pupil], evidence=png_upload(), evidence_taken_at=timezone.now())


@pytest.fixture
def flagged(school, reporter, head, pupil):
    """An incident the head has triaged as a safeguarding matter."""
    made = report(school, reporter, pupils=[pupil])
    return services.triage(incident=made, by=head, severity="high", safeguarding=True)
