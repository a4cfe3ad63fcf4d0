"""Downloads of the consent area: the photo consent list (CSV), the do-not-photograph
list (PDF) and a carer's signed consent (PDF), for the school and for the family.
Each is private and audited, naming no one in the audit summary."""

import secrets

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from consent.models import ConsentDocument
from tests.downloads import FAKE_PDF, assert_private_and_audited

from .helpers import answer, published_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _record(get):
    school, head, pupil, parent = get("school"), get("head"), get("pupil"), get("parent")
    record = answer(parent, pupil, published_form(school, head), "download-1", website=True)[0]
    ConsentDocument.objects.create(
        record=record, file=ContentFile(FAKE_PDF, name="consent.pdf"), sha256=secrets.token_hex(32)
    )
    return record


def consent_csv(get):
    school, head = get("school"), get("head")
    answer(get("parent"), get("pupil"), published_form(school, head), "download-1", website=True)
    return head, reverse("consent:export", args=[school.slug]), "consent.exported", None


def do_not_photograph_pdf(get):
    school, teacher, pupil = get("school"), get("teacher"), get("pupil")
    answer(get("parent"), pupil, published_form(school, get("head")), "download-1", website=True)
    params = f"?group=class-{pupil.school_class_id}&purpose=press"
    return teacher, reverse("consent:check_pdf", args=[school.slug]) + params, "consent.list_printed", None


def consent_record_pdf_for_the_school(get):
    record = _record(get)
    url = reverse("consent:record_pdf", args=[get("school").slug, record.pk])
    return get("head"), url, "consent.pdf_downloaded", record


def consent_record_pdf_for_the_family(get):
    record = _record(get)
    return get("parent"), reverse("family_consent:pdf", args=[record.pk]), "consent.pdf_downloaded", record


DOWNLOADS = [consent_csv, do_not_photograph_pdf, consent_record_pdf_for_the_school, consent_record_pdf_for_the_family]


@pytest.mark.parametrize("download", DOWNLOADS, ids=lambda d: d.__name__)
def test_each_download_is_kept_from_caches_and_written_to_the_audit_log(download, request, client_for, school):
    actor, url, action, obj = download(request.getfixturevalue)

    response = client_for(actor).get(url)

    assert_private_and_audited(response, actor=actor, action=action, school=school, obj=obj, names=("Amelia", "Khan"))


def test_a_consent_pdf_still_being_made_is_not_recorded_as_downloaded(client_for, school, head, pupil, parent):
    from core.models import AuditEvent

    record = answer(parent, pupil, published_form(school, head), "download-1", website=True)[0]

    response = client_for(head).get(reverse("consent:record_pdf", args=[school.slug, record.pk]))

    assert response.status_code == 202
    assert not AuditEvent.objects.filter(action="consent.pdf_downloaded").exists()
