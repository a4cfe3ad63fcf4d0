"""Lending: one open loan per device, the school's rules, and the signed receipt."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from agreements.models import Method, Signature
from core.roles import Role
from devices import services
from devices.models import DeviceStatus, Loan, LoanItem
from tests.conftest import make_member
from tests.factories import GuardianshipFactory

from .conftest import lend_to, make_device, membership_of, sign_for


def test_a_loan_reserves_its_devices_until_the_borrower_signs(school, office, borrower, conditions, laptop):
    loan = lend_to(school, office, borrower, [laptop])
    laptop.refresh_from_db()
    assert laptop.status == DeviceStatus.ON_LOAN
    assert loan.awaiting_signature


def test_a_device_on_a_loan_cannot_be_lent_again(school, office, borrower, conditions, laptop):
    lend_to(school, office, borrower, [laptop])
    with pytest.raises(ValidationError, match="on loan, so it cannot be lent"):
        lend_to(school, office, borrower, [laptop])
    assert LoanItem.objects.filter(device=laptop).count() == 1


def test_the_database_refuses_a_second_open_loan_of_one_device(school, office, borrower, conditions, laptop):
    loan = lend_to(school, office, borrower, [laptop])
    other = Loan.objects.create(school=school, borrower=loan.borrower, until_leaving=True, lent_by=office)
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanItem.objects.create(loan=other, device=laptop)


def test_a_returned_device_can_be_lent_again(school, office, borrower, conditions, laptop):
    loan = lend_to(school, office, borrower, [laptop])
    services.cancel_loan(loan=loan, by=office)
    again = lend_to(school, office, borrower, [laptop])
    assert again.items.get().device == laptop


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need PostgreSQL")
def test_on_postgresql_two_simultaneous_loans_of_one_device_give_it_to_one_borrower(school, head, office):
    from aup.models import Audience
    from tests.agreements.signing_helpers import publish_form_for

    publish_form_for(school, head, Audience.LOANS, title="Equipment loans")
    services.save_settings(
        school=school, by=head, laptops_must_be_encrypted=True, staff_must_have_signed_agreement=False
    )
    laptop = make_device(school, "laptop")
    first = make_member(school, Role.TEACHER)
    second = make_member(school, Role.TEACHER)
    barrier = threading.Barrier(2)
    outcomes = []

    def borrow(user):
        try:
            barrier.wait(timeout=10)
            outcomes.append(lend_to(school, office, user, [laptop]))
        except ValidationError as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=borrow, args=(user,)) for user in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(type(o).__name__ for o in outcomes) == ["Loan", "ValidationError"]
    assert LoanItem.objects.filter(device=laptop, returned_at__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need PostgreSQL")
def test_on_postgresql_the_unique_index_refuses_the_second_of_two_simultaneous_inserts(school, office):
    """Even past the service's lock (two raw inserts at once), the index lets one win."""
    laptop = make_device(school, "laptop")
    borrower = membership_of(make_member(school, Role.TEACHER), school)
    loans = [Loan.objects.create(school=school, borrower=borrower, until_leaving=True, lent_by=office) for _ in "ab"]
    barrier = threading.Barrier(2)
    outcomes = []

    def insert(loan):
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                LoanItem.objects.create(loan=loan, device=laptop)
            outcomes.append("saved")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=insert, args=(loan,)) for loan in loans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "saved"]


def test_an_unencrypted_laptop_is_not_lent(school, office, borrower, conditions):
    laptop = make_device(school, "laptop", encrypted=False)
    with pytest.raises(ValidationError, match="Laptops must be encrypted before they are lent"):
        lend_to(school, office, borrower, [laptop])
    laptop.refresh_from_db()
    assert laptop.status == DeviceStatus.AVAILABLE


def test_an_unencrypted_laptop_is_lent_where_the_school_does_not_require_encryption(
    school, head, office, borrower, conditions
):
    services.save_settings(
        school=school, by=head, laptops_must_be_encrypted=False, staff_must_have_signed_agreement=True
    )
    laptop = make_device(school, "laptop", encrypted=False)
    assert lend_to(school, office, borrower, [laptop]).items.count() == 1


def test_an_unencrypted_tablet_is_lent(school, office, borrower, conditions):
    tablet = make_device(school, "tablet", encrypted=False)
    assert lend_to(school, office, borrower, [tablet]).items.count() == 1


def test_staff_who_have_not_signed_the_ict_agreement_are_refused_a_loan(school, office, staff_form, conditions, laptop):
    newcomer = make_member(school, Role.TEACHER, user__first_name="Tom", user__last_name="Reed")
    with pytest.raises(ValidationError) as refused:
        lend_to(school, office, newcomer, [laptop])
    # The refusal names the form, its version and when it was published.
    version = staff_form.version
    day = timezone.localtime(version.published_at).date()
    published = f"{day.day} {day:%B}" + ("" if day.year == timezone.localdate().year else f" {day.year}")
    assert refused.value.message_dict["borrower"][0].startswith(
        f"Tom Reed has not signed {version.policy.title}, version {version.number} (published {published})."
    )
    assert refused.value.missing == [(membership_of(newcomer, school), staff_form)]


def test_the_agreement_rule_can_be_turned_off(school, head, office, staff_form, conditions, laptop):
    services.save_settings(
        school=school, by=head, laptops_must_be_encrypted=True, staff_must_have_signed_agreement=False
    )
    newcomer = make_member(school, Role.TEACHER)
    assert lend_to(school, office, newcomer, [laptop]).items.count() == 1


def test_nothing_is_lent_without_published_loan_conditions(school, office, borrower, laptop):
    with pytest.raises(ValidationError, match="no published loan conditions"):
        lend_to(school, office, borrower, [laptop])


def test_a_due_date_or_until_leaving_is_needed(school, office, borrower, conditions, laptop):
    with pytest.raises(ValidationError, match="due back"):
        lend_to(school, office, borrower, [laptop], until_leaving=False)


def test_another_schools_device_is_not_lent(school, other_school, office, borrower, conditions):
    theirs = make_device(other_school, "tablet")
    with pytest.raises(ValidationError, match="devices of this school"):
        lend_to(school, office, borrower, [theirs])


def test_one_receipt_covers_several_devices_and_lists_them(school, office, borrower, conditions):
    first = make_device(school, "laptop", serial_number="AAA111")
    second = make_device(school, "laptop", serial_number="BBB222")
    loan = lend_to(school, office, borrower, [first, second])
    signature = sign_for(loan, opened_by=office)
    loan.refresh_from_db()
    assert loan.receipt_signature == signature
    assert signature.form == conditions
    assert signature.signer == borrower
    assert signature.method == Method.SELF
    assert signature.details["loan"] == loan.pk
    assert signature.details["devices"] == [
        "Laptop Dell Latitude 5440 (serial AAA111)",
        "Laptop Dell Latitude 5440 (serial BBB222)",
    ]
    assert not loan.awaiting_signature


def test_signing_twice_keeps_the_first_receipt(school, office, borrower, conditions, laptop):
    loan = lend_to(school, office, borrower, [laptop])
    first = sign_for(loan)
    assert sign_for(loan) == first
    assert Signature.objects.filter(device_loans=loan).count() == 1


def test_a_pupils_loan_is_signed_by_a_carer_with_parental_responsibility(school, office, pupil, parent, conditions):
    tablet = make_device(school, "tablet")
    loan = services.lend(school=school, lent_by=office, devices=[tablet], pupil=pupil, carer=parent, until_leaving=True)
    signature = sign_for(loan)
    assert signature.signer == parent
    assert signature.pupil == pupil
    assert signature.method == Method.FOR_CHILD


def test_a_carer_without_parental_responsibility_cannot_sign_for_a_pupils_loan(school, office, pupil, conditions):
    carer = make_member(school, Role.PARENT, user__first_name="Dan", user__last_name="Khan")
    GuardianshipFactory(pupil=pupil, carer=carer, relationship="father", parental_responsibility=False)
    tablet = make_device(school, "tablet")
    with pytest.raises(ValidationError, match="does not hold parental responsibility"):
        services.lend(school=school, lent_by=office, devices=[tablet], pupil=pupil, carer=carer, until_leaving=True)


def test_a_cancelled_loan_frees_its_devices(school, office, borrower, conditions, laptop):
    loan = lend_to(school, office, borrower, [laptop])
    services.cancel_loan(loan=loan, by=office)
    laptop.refresh_from_db()
    assert laptop.status == DeviceStatus.AVAILABLE
    with pytest.raises(ValidationError, match="cancelled"):
        sign_for(loan)


def test_a_signed_loan_cannot_be_cancelled(school, office, borrower, conditions, laptop):
    loan = lend_to(school, office, borrower, [laptop])
    sign_for(loan)
    with pytest.raises(ValidationError, match="receive the devices back instead"):
        services.cancel_loan(loan=loan, by=office)


def test_the_signed_pdf_lists_the_devices_on_the_receipt_and_the_return(school, office, borrower, conditions, laptop):
    from agreements.pdf import signed_pdf_html
    from devices import services as device_services

    loan = lend_to(school, office, borrower, [laptop])
    receipt = sign_for(loan)
    html = signed_pdf_html(receipt)
    assert "Devices" in html and "Laptop Dell Latitude 5440 (serial DL5440-001)" in html
    item = loan.items.get()
    returned = device_services.receive_return(
        loan=loan,
        received_by=office,
        returns={item.pk: {}},
        typed_name="Priya Sharma",
        statements_agreed=[s.number for s in conditions.statements.all()],
        submission_key="return-pdf",
    )
    assert "Devices returned" in signed_pdf_html(returned)


def _verify_page(client, signature) -> str:
    return client.get("/verify/", {"code": signature.verification_code}).content.decode()


def test_verify_describes_a_loan_receipt_as_receiving_equipment(client, school, office, borrower, conditions, laptop):
    receipt = sign_for(lend_to(school, office, borrower, [laptop]))

    page = _verify_page(client, receipt)

    assert "Signed on receiving school equipment on loan, by the borrower" in page
    assert "parent or carer" not in page


def test_verify_describes_a_pupils_loan_receipt_as_signed_by_a_carer(client, school, office, pupil, parent, conditions):
    loan = services.lend(
        school=school,
        lent_by=office,
        devices=[make_device(school, "tablet")],
        pupil=pupil,
        carer=parent,
        until_leaving=True,
    )
    receipt = sign_for(loan)

    page = _verify_page(client, receipt)

    assert "Signed on receiving school equipment on loan, by a parent or carer, for their child" in page


def test_verify_describes_a_return_as_handing_back_equipment(client, school, office, borrower, conditions, laptop):
    loan = lend_to(school, office, borrower, [laptop])
    sign_for(loan)
    returned = services.receive_return(
        loan=loan,
        received_by=office,
        returns={loan.items.get().pk: {}},
        typed_name=borrower.full_name,
        statements_agreed=[s.number for s in conditions.statements.all()],
        submission_key="return-verify",
    )

    page = _verify_page(client, returned)

    assert "Signed on handing back school equipment that was on loan, by the borrower" in page
