"""A loan signed by the borrower and countersigned by the member of staff handing the
devices over (issue 20): one receipt, two signatures, each with who and when."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agreements.countersigning.selectors import awaited_role, open_fields_for
from agreements.models import Countersignature
from core.models import AuditEvent
from devices import services

from .conftest import lend_to, sign_for


@pytest.fixture
def signed_loan(school, office, borrower, conditions, laptop):
    loan = lend_to(school, office, borrower, [laptop])
    sign_for(loan, opened_by=office)
    loan.refresh_from_db()
    return loan


def _loan_page(school, loan):
    return reverse("devices:loan", args=[school.slug, loan.pk])


def _hand_over(school, loan):
    return reverse("devices:hand_over", args=[school.slug, loan.pk])


def test_a_loan_receipt_awaits_the_member_of_staff_handing_over(signed_loan):
    receipt = signed_loan.receipt_signature
    assert awaited_role(receipt) == "handed_over_by"
    assert open_fields_for(receipt) == ["Handed over by"]


def test_the_office_countersigns_on_handing_over(school, office, signed_loan, client_for):
    client = client_for(office)
    page = client.get(_loan_page(school, signed_loan)).content.decode()
    assert "Hand over: countersign the receipt" in page
    response = client.post(_hand_over(school, signed_loan), {"typed_name": office.full_name})
    assert response.status_code == 302
    countersignature = Countersignature.objects.get(signature=signed_loan.receipt_signature)
    assert countersignature.signer == office and countersignature.role == "handed_over_by"
    assert countersignature.relationship.endswith("handing over")
    assert countersignature.signed_at >= signed_loan.receipt_signature.signed_at
    assert AuditEvent.objects.filter(action="devices.handed_over", object_id=str(signed_loan.pk)).exists()
    page = client.get(_loan_page(school, signed_loan)).content.decode()
    assert "Hand over: countersign the receipt" not in page
    assert f"Handed over by</dt><dd>{office.full_name}" in page


def test_the_borrower_cannot_countersign_their_own_loan(signed_loan, borrower):
    with pytest.raises(ValidationError, match="other than the borrower"):
        services.countersign_handover(loan=signed_loan, by=borrower, typed_name=borrower.full_name)


def test_a_loan_not_yet_signed_cannot_be_handed_over(school, office, borrower, conditions, laptop):
    loan = lend_to(school, office, borrower, [laptop])
    with pytest.raises(ValidationError, match="not signed"):
        services.countersign_handover(loan=loan, by=office, typed_name=office.full_name)


def test_staff_without_the_capability_and_other_schools_cannot_hand_over(
    school, signed_loan, teacher, outsider, client_for
):
    for user in (teacher, outsider):
        response = client_for(user).post(_hand_over(school, signed_loan), {"typed_name": "Someone"})
        assert response.status_code == 404
    assert not Countersignature.objects.exists()


def test_the_hand_over_needs_a_typed_name(school, office, signed_loan, client_for):
    response = client_for(office).post(_hand_over(school, signed_loan), {"typed_name": ""})
    assert response.status_code == 400
    assert "Type your full name to countersign" in response.content.decode()


def test_the_loan_receipt_pdf_carries_the_borrowers_and_the_staff_signatures(
    school, office, signed_loan, client_for, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from agreements.models import CountersignedDocument
    from core.signing import validate_pdf
    from tests.agreements.countersign_helpers import store_signed_files_in

    store_signed_files_in(tmp_path, monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        countersignature = services.countersign_handover(loan=signed_loan, by=office, typed_name="Olu Office")
    both = CountersignedDocument.objects.get(countersignature=countersignature).file.read()
    check = validate_pdf(both)
    assert check.valid, check.sentences
    borrower, staff = check.signatures
    assert borrower.certification and borrower.good
    assert staff.field == "Handed over by" and staff.good and "Olu Office" in staff.reason
    # The loan's page hands out the file with both signatures.
    response = client_for(office).get(reverse("devices:loan_pdf", args=[school.slug, signed_loan.pk]))
    assert b"".join(response.streaming_content) == both
