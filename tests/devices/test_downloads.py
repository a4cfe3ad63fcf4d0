"""Downloads of the equipment register: the certificate of data destruction, the asset
labels and a loan's signed receipt. Each is private and audited, naming no one."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from devices import services
from tests.downloads import FAKE_PDF, assert_private_and_audited, give_signed_document

from .conftest import lend_to, sign_for


def certificate(get):
    school, office, laptop = get("school"), get("office"), get("laptop")
    services.dispose(
        device=laptop,
        recorded_by=office,
        contractor="GreenIT Recycling Ltd",
        disposed_on=timezone.localdate(),
        weee_note="WTN 12345",
        certificate=SimpleUploadedFile("certificate.pdf", FAKE_PDF),
    )
    url = reverse("devices:certificate", args=[school.slug, laptop.pk])
    return office, url, "devices.certificate_downloaded", laptop


def asset_labels(get):
    school, office = get("school"), get("office")
    get("conditions")
    lend_to(school, office, get("borrower"), [get("laptop")])
    return office, reverse("devices:labels", args=[school.slug]), "devices.labels_downloaded", None


def _signed_loan(get):
    school, office = get("school"), get("office")
    get("conditions")
    loan = lend_to(school, office, get("borrower"), [get("laptop")])
    give_signed_document(sign_for(loan))
    return loan


def loan_receipt_for_the_office(get):
    loan = _signed_loan(get)
    url = reverse("devices:loan_pdf", args=[get("school").slug, loan.pk])
    return get("office"), url, "agreement.pdf_downloaded", loan.receipt_signature


def loan_receipt_for_the_borrower(get):
    loan = _signed_loan(get)
    url = reverse("devices:loan_pdf", args=[get("school").slug, loan.pk])
    return get("borrower"), url, "agreement.pdf_downloaded", loan.receipt_signature


DOWNLOADS = [certificate, asset_labels, loan_receipt_for_the_office, loan_receipt_for_the_borrower]


@pytest.mark.parametrize("download", DOWNLOADS, ids=lambda d: d.__name__)
def test_each_download_is_kept_from_caches_and_written_to_the_audit_log(download, request, client_for, school):
    actor, url, action, obj = download(request.getfixturevalue)

    response = client_for(actor).get(url)

    assert_private_and_audited(response, actor=actor, action=action, school=school, obj=obj, names=("Priya", "Sharma"))
