"""Equipment loans reach the end of their rule 6 years after the last device came
back: the loan, its items and the borrower's signed receipt and return go together;
the devices stay on the register; a loan still out is kept."""

import datetime

import pytest
import time_machine

from agreements.models import Signature
from aup.models import Audience
from core.roles import Role
from devices import services as devices
from devices.models import Device, Loan, LoanItem
from retention import services
from retention.models import Destruction, ReviewItem
from tests.agreements.signing_helpers import publish_form_for
from tests.conftest import make_member
from tests.devices.conftest import all_numbers, key, lend_to, make_device, sign_for

LENT = datetime.datetime(2026, 9, 10, 10, tzinfo=datetime.UTC)
RETURNED = datetime.datetime(2027, 7, 15, 10, tzinfo=datetime.UTC)
AFTER_END = datetime.datetime(2033, 7, 16, 12, tzinfo=datetime.UTC)


@pytest.fixture
def loans(school, head, office):
    with time_machine.travel(LENT, tick=False):
        publish_form_for(school, head, Audience.LOANS, title="Equipment loans")
        borrower = make_member(school, Role.TEACHER)
        laptop, tablet = make_device(school, "laptop"), make_device(school, "tablet")
        returned = lend_to(school, office, borrower, [laptop])
        sign_for(returned)
        still_out = lend_to(school, office, borrower, [tablet])
        sign_for(still_out)
    with time_machine.travel(RETURNED, tick=False):
        item = returned.items.get()
        form = devices.loan_conditions(school)
        devices.receive_return(
            loan=returned,
            received_by=office,
            returns={item.pk: {"condition": "Good", "accessories": "Charger"}},
            typed_name=borrower.full_name,
            statements_agreed=all_numbers(form),
            submission_key=key(),
        )
    returned.refresh_from_db()
    still_out.refresh_from_db()
    return returned, still_out


def test_a_returned_loan_and_its_signatures_go_after_six_years_and_a_loan_still_out_stays(
    trust, school, loans, trust_officer, django_capture_on_commit_callbacks
):
    returned, still_out = loans
    receipt = returned.receipt_signature_id
    return_signature = returned.items.get().return_signature_id
    with time_machine.travel(AFTER_END, tick=False):
        review = services.sweep_trust(trust)
        lines = {(line.kind, line.school_id): line.count for line in review.lines.all()}
        assert lines[("devices.loans", school.pk)] == 1
        assert set(
            ReviewItem.objects.filter(review=review, kind="devices.loans/signatures").values_list(
                "object_id", flat=True
            )
        ) == {receipt, return_signature}
        with django_capture_on_commit_callbacks(execute=True):
            services.approve(review=review, user=trust_officer)
    assert not Loan.objects.filter(pk=returned.pk).exists()
    assert not LoanItem.objects.filter(loan_id=returned.pk).exists()
    assert not Signature.objects.filter(pk__in=[receipt, return_signature]).exists()
    assert Loan.objects.filter(pk=still_out.pk).exists()
    assert Signature.objects.filter(pk=still_out.receipt_signature_id).exists()
    assert Device.objects.filter(school=school).count() == 2
    assert Destruction.objects.get(review=review, kind="devices.loans").count == 1
