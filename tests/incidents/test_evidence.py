"""Evidence is checked by its content, not its name, and kept out of public reach."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents import services
from incidents.models import Incident, IncidentEvidence

from .conftest import png_bytes, png_upload


def report_url(school):
    return reverse("incidents:report", args=[school.slug])


def report_data(**extra):
    return {
        "category": "cyberbullying",
        "occurred_at": "2026-01-05T10:15",
        "description": "A pupil showed me unkind messages.",
        "submission_key": "form-key",
        **extra,
    }


def test_a_teacher_reports_with_a_screenshot_and_its_time(school, school_class, reporter, pupil, client_for):
    school_class.teachers.add(reporter.memberships.get(school=school))  # a pupil of their class
    response = client_for(reporter).post(
        report_url(school),
        report_data(
            pupils=[pupil.pk],
            evidence=png_upload(),
            taken_at="2026-01-05T10:05",
            evidence_description="The group chat",
        ),
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    evidence = incident.evidence.get()
    assert evidence.content_type == "image/png"
    assert evidence.file.read() == png_bytes()
    assert f"{evidence.taken_at:%d/%m/%Y %H:%M}" == "05/01/2026 10:05"
    assert evidence.file.path.startswith(str(services.IncidentEvidence._meta.get_field("file").storage.location))
    assert response.url == reverse("incidents:detail", args=[school.slug, incident.pk])


def test_a_png_that_is_really_text_is_refused_beside_the_field(school, reporter, client_for):
    fake = SimpleUploadedFile("screenshot.png", b"just some text, not an image", content_type="image/png")
    response = client_for(reporter).post(report_url(school), report_data(evidence=fake))
    assert response.status_code == 400
    assert response.context["form"].errors["evidence"] == [services.EVIDENCE_REFUSED]
    assert "not one of those" in response.content.decode()
    assert not Incident.objects.exists()
    assert not IncidentEvidence.objects.exists()


@pytest.mark.parametrize(
    "content, kind",
    [(b"%PDF-1.7\n%test\n", "application/pdf"), (b"\xff\xd8\xff\xe0" + b"0" * 20, "image/jpeg")],
)
def test_a_pdf_or_jpeg_is_accepted(content, kind, school, reporter, client_for):
    upload = SimpleUploadedFile("evidence.bin", content)
    response = client_for(reporter).post(report_url(school), report_data(evidence=upload))
    assert response.status_code == 302
    assert IncidentEvidence.objects.get().content_type == kind


def test_a_file_over_10_mb_is_refused(school, reporter, client_for):
    big = SimpleUploadedFile("huge.png", b"\x89PNG\r\n\x1a\n" + b"0" * (10 * 1024 * 1024))
    response = client_for(reporter).post(report_url(school), report_data(evidence=big))
    assert response.status_code == 400
    assert response.context["form"].errors["evidence"] == [services.EVIDENCE_REFUSED]


def test_a_time_taken_without_a_file_is_questioned(school, reporter, client_for):
    response = client_for(reporter).post(report_url(school), report_data(taken_at="2026-01-05T10:05"))
    assert response.status_code == 400
    assert "Attach the screenshot" in response.context["form"].errors["evidence"][0]


def test_a_time_in_the_future_is_refused(school, reporter, client_for):
    response = client_for(reporter).post(report_url(school), report_data(occurred_at="2099-01-01T10:00"))
    assert response.status_code == 400
    assert "future" in response.context["form"].errors["occurred_at"][0]


def test_the_report_page_opens_with_now_filled_in(school, reporter, client_for):
    response = client_for(reporter).get(report_url(school))
    assert response.status_code == 200
    assert response.context["form"]["occurred_at"].value() is not None
    html = response.content.decode()
    assert 'type="datetime-local"' not in html and 'name="occurred_at_time"' in html


def test_a_refused_file_leaves_nothing_on_disk(school, reporter, settings, tmp_path):
    from .conftest import report

    with pytest.raises(services.ValidationError):
        report(school, reporter, evidence=SimpleUploadedFile("x.png", b"text"))
    root = settings.PRIVATE_MEDIA_ROOT
    assert not any(p.is_file() for p in root.rglob("*")) if root.exists() else True
