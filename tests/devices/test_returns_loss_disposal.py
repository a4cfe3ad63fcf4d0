"""Returns (signed, with personal data removed from cameras and phones), loss (an
e-safety incident), disposal (final), and the overdue and leavers' lists."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from devices import selectors, services
from devices.models import DeviceStatus, Loan, LoanItem
from incidents.models import Category, Incident

from .conftest import all_numbers, key, lend_to, make_device, membership_of, sign_for


def receive(loan, by, returns, **fields):
    form = services.loan_conditions(loan.school)
    values = {"typed_name": loan.signer.full_name, "statements_agreed": all_numbers(form), "submission_key": key()}
    values.update(fields)
    return services.receive_return(loan=loan, received_by=by, returns=returns, **values)


@pytest.fixture
def signed_loan(school, office, borrower, conditions, laptop, camera):
    loan = lend_to(school, office, borrower, [laptop, camera])
    sign_for(loan)
    return loan


def _item(loan, device):
    return loan.items.get(device=device)


def test_one_device_comes_back_with_a_signed_return(school, office, signed_loan, laptop, camera):
    item = _item(signed_loan, laptop)
    signature = receive(signed_loan, office, {item.pk: {"condition": "Good", "accessories": "Charger"}})
    item.refresh_from_db()
    laptop.refresh_from_db()
    camera.refresh_from_db()
    assert item.returned_at is not None
    assert item.return_signature == signature
    assert item.received_by == office
    assert item.accessories_returned == "Charger"
    assert signature.details == {
        "return_of_loan": signed_loan.pk,
        "devices": [laptop.label],
        "received_by": office.full_name,
    }
    assert signature.signer == signed_loan.signer
    assert laptop.status == DeviceStatus.AVAILABLE
    assert camera.status == DeviceStatus.ON_LOAN


def test_a_camera_comes_back_only_with_personal_data_removed(school, office, signed_loan, camera):
    item = _item(signed_loan, camera)
    with pytest.raises(ValidationError, match="personal data have been removed"):
        receive(signed_loan, office, {item.pk: {"condition": "Good"}})
    item.refresh_from_db()
    assert item.returned_at is None
    receive(signed_loan, office, {item.pk: {"condition": "Good", "personal_data_removed": True}})
    item.refresh_from_db()
    assert item.personal_data_removed and item.returned_at


def test_a_device_is_not_returned_twice(school, office, signed_loan, laptop):
    item = _item(signed_loan, laptop)
    receive(signed_loan, office, {item.pk: {}})
    with pytest.raises(ValidationError, match="already been returned"):
        receive(signed_loan, office, {item.pk: {}})


def test_an_unsigned_loan_cannot_be_returned(school, office, borrower, conditions, laptop):
    loan = lend_to(school, office, borrower, [laptop])
    with pytest.raises(ValidationError, match="cancel it instead"):
        receive(loan, office, {loan.items.get().pk: {}})


def test_the_device_history_shows_each_holder_and_receipt(school, office, signed_loan, laptop):
    receive(signed_loan, office, {_item(signed_loan, laptop).pk: {}})
    history = list(selectors.device_history(laptop))
    assert [h.loan for h in history] == [signed_loan]
    assert history[0].loan.receipt_signature_id and history[0].return_signature_id


def test_reporting_a_device_lost_marks_it_and_opens_an_incident(school, borrower, signed_loan, laptop):
    report = services.report_lost(
        device=laptop,
        reported_by=borrower,
        happened_at=timezone.now() - datetime.timedelta(hours=2),
        where="On the train home",
        what_happened="My bag was taken.",
        submission_key="lost-1",
    )
    laptop.refresh_from_db()
    incident = Incident.objects.get()
    assert report.incident == incident
    assert incident.category == Category.LOST_OR_STOLEN
    assert incident.reported_by == borrower
    assert incident.location == "On the train home"
    assert laptop.serial_number in incident.description and "My bag was taken." in incident.description
    assert laptop.status == DeviceStatus.LOST_OR_STOLEN
    item = _item(signed_loan, laptop)
    assert item.returned_at and item.ended_without_return == "lost"


def test_a_device_is_not_reported_lost_twice(school, borrower, signed_loan, laptop):
    fields = {"reported_by": borrower, "happened_at": timezone.now(), "where": "Car park", "what_happened": "Gone."}
    services.report_lost(device=laptop, submission_key="a", **fields)
    with pytest.raises(ValidationError, match="already recorded as lost"):
        services.report_lost(device=laptop, submission_key="b", **fields)
    assert Incident.objects.count() == 1


def pdf_upload():
    return SimpleUploadedFile("certificate.pdf", b"%PDF-1.7\n%certificate\n", content_type="application/pdf")


def dispose(device, by, **fields):
    values = {
        "contractor": "GreenIT Recycling Ltd",
        "disposed_on": timezone.localdate(),
        "weee_note": "WTN 12345",
        "certificate": pdf_upload(),
    }
    values.update(fields)
    return services.dispose(device=device, recorded_by=by, **values)


def test_a_disposed_device_is_never_lent_again(school, office, borrower, conditions, laptop):
    disposal = dispose(laptop, office)
    laptop.refresh_from_db()
    assert laptop.status == DeviceStatus.DISPOSED
    assert disposal.certificate_content_type == "application/pdf"
    with pytest.raises(ValidationError, match="disposed of, so it cannot be lent"):
        lend_to(school, office, borrower, [laptop])
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.edit_device(device=laptop, by=office, serial_number="NEW", status="available")
    with pytest.raises(ValidationError, match="already been disposed"):
        dispose(laptop, office)


def test_the_certificate_is_checked_by_its_content_not_its_name(school, office, laptop):
    fake = SimpleUploadedFile("certificate.pdf", b"just some text", content_type="application/pdf")
    with pytest.raises(ValidationError, match="must be a PDF, PNG or JPEG"):
        dispose(laptop, office, certificate=fake)
    laptop.refresh_from_db()
    assert laptop.status == DeviceStatus.AVAILABLE


def test_a_device_on_loan_is_not_disposed_of(school, office, signed_loan, laptop):
    with pytest.raises(ValidationError, match="Receive it back"):
        dispose(laptop, office)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_on_postgresql_the_database_refuses_to_lend_or_revive_a_disposed_device(school, office, borrower, laptop):
    dispose(laptop, office)
    loan = Loan.objects.create(
        school=school, borrower=membership_of(borrower, school), until_leaving=True, lent_by=office
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        LoanItem.objects.create(loan=loan, device=laptop)
    with pytest.raises(DatabaseError), transaction.atomic():
        type(laptop).objects.filter(pk=laptop.pk).update(status="available")


def test_the_overdue_list_shows_devices_past_their_due_date(school, office, borrower, conditions):
    late = make_device(school, "tablet", serial_number="LATE1")
    on_time = make_device(school, "tablet", serial_number="ONTIME1")
    today = timezone.localdate()
    lend_to(school, office, borrower, [late], until_leaving=False, due_on=today)
    lend_to(school, office, borrower, [on_time], until_leaving=False, due_on=today + datetime.timedelta(days=7))
    overdue = list(selectors.overdue_items(school, today=today + datetime.timedelta(days=1)))
    assert [i.device for i in overdue] == [late]


def test_the_leavers_list_shows_everything_a_leaver_holds(school, office, borrower, teacher, conditions, staff_form):
    from .conftest import sign_staff_agreement

    sign_staff_agreement(teacher, staff_form)
    laptop = make_device(school, "laptop", serial_number="LEAVER-1")
    tablet = make_device(school, "tablet", serial_number="LEAVER-2")
    stays = make_device(school, "tablet", serial_number="STAYS-1")
    lend_to(school, office, borrower, [laptop, tablet])
    lend_to(school, office, teacher, [stays])
    membership = membership_of(borrower, school)
    membership.leaving_date = timezone.localdate() + datetime.timedelta(days=30)
    membership.save()
    assert sorted(i.device.serial_number for i in selectors.leavers_items(school)) == ["LEAVER-1", "LEAVER-2"]
