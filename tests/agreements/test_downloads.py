"""Downloads of the agreements area: the compliance list (CSV) and summary (PDF), the
scan of a paper form and the signed PDFs (staff and family). Each is private and audited."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.paper import record_paper_form
from tests.downloads import FAKE_PDF, assert_private_and_audited, give_signed_document

from .pdf_helpers import published_staff_form, sign
from .signing_helpers import publish_staff_form, sign_as


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def compliance_csv(get):
    school, head = get("school"), get("head")
    form = publish_staff_form(school, head)
    sign_as(form, get("teacher"))
    return (
        head,
        reverse("agreements:compliance_csv", args=[school.slug, form.pk]),
        "agreement.compliance_downloaded",
        form,
    )


def compliance_pdf(get):
    school, head = get("school"), get("head")
    sign_as(publish_staff_form(school, head), get("teacher"))
    return head, reverse("agreements:compliance_pdf", args=[school.slug]), "agreement.compliance_downloaded", None


def paper_scan(get):
    school, office, teacher = get("school"), get("office"), get("teacher")
    signature = record_paper_form(
        form=published_staff_form(school),
        recorded_by=office,
        typed_name=teacher.full_name,
        signed_on=datetime.date(2026, 3, 2),
        scan=SimpleUploadedFile("scan.pdf", FAKE_PDF),
        submission_key="paper-download",
        signer=teacher,
    )
    url = reverse("agreements:paper_scan", args=[school.slug, signature.paper_scan.pk])
    return office, url, "agreement.scan_downloaded", signature


def signed_pdf(get):
    school, teacher = get("school"), get("teacher")
    signature = sign(published_staff_form(school), teacher, typed_name=teacher.full_name)
    give_signed_document(signature)
    return teacher, reverse("agreements:pdf", args=[school.slug, signature.pk]), "agreement.pdf_downloaded", signature


def signed_pdf_seen_by_the_head(get):
    school, head, teacher = get("school"), get("head"), get("teacher")
    signature = sign(published_staff_form(school), teacher, typed_name=teacher.full_name)
    give_signed_document(signature)
    return head, reverse("agreements:pdf", args=[school.slug, signature.pk]), "agreement.pdf_downloaded", signature


def family_signed_pdf(get):
    school, parent = get("school"), get("parent")
    signature = sign(
        published_staff_form(school), parent, typed_name="Sara Khan", method="for_child", pupil=get("pupil")
    )
    give_signed_document(signature)
    return parent, reverse("family_sign:pdf", args=[signature.pk]), "agreement.pdf_downloaded", signature


DOWNLOADS = [compliance_csv, compliance_pdf, paper_scan, signed_pdf, signed_pdf_seen_by_the_head, family_signed_pdf]


@pytest.mark.parametrize("download", DOWNLOADS, ids=lambda d: d.__name__)
def test_each_download_is_kept_from_caches_and_written_to_the_audit_log(download, request, client_for, school):
    actor, url, action, obj = download(request.getfixturevalue)

    response = client_for(actor).get(url)

    assert_private_and_audited(
        response, actor=actor, action=action, school=school, obj=obj, names=("Amelia", "Khan", "Sara")
    )


def test_the_pdf_still_being_made_is_not_recorded_as_downloaded(client_for, school, teacher):
    signature = sign(published_staff_form(school), teacher)

    response = client_for(teacher).get(reverse("agreements:pdf", args=[school.slug, signature.pk]))

    assert response.status_code == 202
    from core.models import AuditEvent

    assert not AuditEvent.objects.filter(action="agreement.pdf_downloaded").exists()
