"""The register's pages: who may open what (404 for everyone else), constant query
counts, and the journeys through the office's screens."""

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from devices.models import DeviceStatus, Loan
from incidents.models import Incident
from tests.agreements.signing_helpers import all_statements
from tests.conftest import make_member

from .conftest import lend_to, make_device, sign_for


def url(name, school, *args):
    return reverse(f"devices:{name}", args=[school.slug, *args])


def make_devices(school, office, borrower, count, start=0):
    devices = [make_device(school, "tablet", serial_number=f"BULK-{start + n:04d}") for n in range(count)]
    # Every third device is on loan, so the holder's name is on the page.
    lend_to(school, office, borrower, devices[::3])
    return devices


@pytest.mark.parametrize(
    "params", [{}, {"q": "BULK"}, {"q": "Sharma"}, {"status": "on_loan"}, {"device_type": "tablet"}]
)
def test_the_register_takes_the_same_number_of_queries_for_many_devices(
    params, school, office, head, borrower, conditions, client_for, django_assert_num_queries
):
    client = client_for(head)
    make_devices(school, office, borrower, 3)
    client.get(url("register", school))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("register", school), params).status_code == 200
    make_devices(school, office, borrower, 57, start=3)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url("register", school), params)
    assert response.context["page"].paginator.count >= 20


def test_the_register_finds_a_device_by_serial_asset_tag_or_holder(school, office, borrower, conditions, client_for):
    laptop = make_device(school, "laptop", serial_number="FIND-ME-1", asset_tag="OAK-42")
    other = make_device(school, "laptop", serial_number="OTHER-2")
    lend_to(school, office, borrower, [other])
    client = client_for(office)
    for query, expected in [("find-me", laptop), ("OAK-42", laptop), ("Priya Sharma", other)]:
        devices = list(client.get(url("register", school), {"q": query}).context["devices"])
        assert devices == [expected], query


def test_the_register_is_paginated_by_fifty(school, office, client_for):
    for n in range(55):
        make_device(school, "tablet", serial_number=f"P{n:03d}")
    response = client_for(office).get(url("register", school), {"page": 2})
    assert len(response.context["devices"]) == 5


def test_the_register_and_device_pages_are_not_found_for_people_without_the_capability(
    school, teacher, parent, outsider, client_for, laptop
):
    for user in (teacher, parent, outsider):
        client = client_for(user)
        assert client.get(url("register", school)).status_code == 404
        assert client.get(url("device", school, laptop.pk)).status_code == 404
        assert client.get(url("edit", school, laptop.pk)).status_code == 404
        assert client.get(url("dispose", school, laptop.pk)).status_code == 404


def test_another_schools_device_and_loan_are_not_found(school, other_school, office, client_for, conditions, borrower):
    theirs = make_device(other_school, "tablet")
    own = make_device(school, "tablet")
    loan = lend_to(school, office, borrower, [own])
    their_head = make_member(other_school, Role.HEADTEACHER)
    client = client_for(their_head)
    assert client.get(url("device", other_school, own.pk)).status_code == 404
    assert client.get(url("loan", other_school, loan.pk)).status_code == 404
    assert client.get(url("sign", other_school, loan.pk)).status_code == 404
    assert client.get(url("device", other_school, theirs.pk)).status_code == 200
    assert client_for(office).get(url("device", school, theirs.pk)).status_code == 404


def test_ict_manager_business_manager_and_deputy_keep_the_register(school, client_for, laptop):
    for role in (Role.ICT_MANAGER, Role.BUSINESS_MANAGER, Role.DEPUTY, Role.OFFICE, Role.HEADTEACHER):
        client = client_for(make_member(school, role))
        assert client.get(url("register", school)).status_code == 200, role
        assert client.get(url("add", school)).status_code == 200, role


def test_a_teacher_sees_only_their_own_equipment(school, office, borrower, teacher, conditions, laptop, client_for):
    loan = lend_to(school, office, borrower, [laptop])
    mine = client_for(borrower).get(url("mine", school))
    assert laptop.serial_number in mine.content.decode()
    assert client_for(borrower).get(url("loan", school, loan.pk)).status_code == 200
    client = client_for(teacher)
    assert laptop.serial_number not in client.get(url("mine", school)).content.decode()
    assert client.get(url("loan", school, loan.pk)).status_code == 404
    assert client.get(url("sign", school, loan.pk)).status_code == 404
    assert client.get(url("lost", school, laptop.pk)).status_code == 404
    assert client.post(url("lost", school, laptop.pk), {"where": "x", "what_happened": "y"}).status_code == 404


def test_the_office_is_told_plainly_when_there_are_no_loan_conditions(school, office, head, client_for):
    """The office cannot open the policies page: it is told who sets the conditions up."""
    response = client_for(office).get(url("lend", school))
    page = response.content.decode()
    assert "There are no published loan conditions yet" in page
    assert reverse("aup:policies", args=[school.slug]) not in page
    assert f"Ask {head.full_name} (headteacher)" in page
    assert reverse("devices:register", args=[school.slug]) in page


def test_the_head_is_sent_to_the_policies_page_when_there_are_no_loan_conditions(school, head, client_for):
    page = client_for(head).get(url("lend", school)).content.decode()
    assert reverse("aup:policies", args=[school.slug]) in page


def test_the_office_lends_and_the_borrower_signs_on_the_office_screen(school, office, borrower, conditions, client_for):
    first = make_device(school, "laptop", serial_number="PAIR-1")
    second = make_device(school, "laptop", serial_number="PAIR-2")
    client = client_for(office)
    response = client.post(
        url("lend", school),
        {"devices": [first.pk, second.pk], "borrower": borrower.memberships.get().pk, "until_leaving": "on"},
    )
    loan = Loan.objects.get()
    assert response.status_code == 302 and response.url == url("loan", school, loan.pk)
    page = client.get(url("sign", school, loan.pk))
    assert "Please hand this screen to Priya Sharma" in page.content.decode()
    key = page.context["form"].initial["submission_key"]
    response = client.post(
        url("sign", school, loan.pk),
        {**all_statements(conditions), "typed_name": "Priya Sharma", "submission_key": key},
    )
    assert response.status_code == 302
    loan.refresh_from_db()
    signature = loan.receipt_signature
    assert signature.signer == borrower
    assert signature.details["signed_on_screen_of"] == office.full_name
    assert len(signature.details["devices"]) == 2


def test_the_lend_form_shows_the_encryption_rule_beside_the_devices(school, office, borrower, conditions, client_for):
    laptop = make_device(school, "laptop", encrypted=False)
    response = client_for(office).post(
        url("lend", school), {"devices": [laptop.pk], "borrower": borrower.memberships.get().pk, "until_leaving": "on"}
    )
    assert response.status_code == 400
    assert "Laptops must be encrypted" in " ".join(response.context["form"].errors["devices"])


def test_the_borrower_signs_remotely_from_the_emailed_link(school, office, borrower, conditions, laptop, client_for):
    loan = lend_to(school, office, borrower, [laptop])
    client_for(office).post(url("send_link", school, loan.pk))
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/loans/\d+/sign/", mail.outbox[0].body).group(0)
    path = "/" + link.split("/", 3)[3]
    client = client_for(borrower)
    page = client.get(path)
    assert page.status_code == 200
    client.post(
        path,
        {
            **all_statements(conditions),
            "typed_name": "Priya Sharma",
            "submission_key": page.context["form"].initial["submission_key"],
        },
    )
    loan.refresh_from_db()
    assert loan.receipt_signature.signer == borrower
    assert "signed_on_screen_of" not in loan.receipt_signature.details


def test_a_carer_signs_their_childs_loan_from_family(school, office, pupil, parent, conditions, client_for):
    from devices import services

    tablet = make_device(school, "tablet")
    loan = services.lend(school=school, lent_by=office, devices=[tablet], pupil=pupil, carer=parent, until_leaving=True)
    path = reverse("devices_family:sign", args=[loan.pk])
    other_parent = make_member(school, Role.PARENT)
    assert client_for(other_parent).get(path).status_code == 404
    client = client_for(parent)
    page = client.get(path)
    assert page.status_code == 200
    client.post(
        path,
        {
            **all_statements(conditions),
            "typed_name": parent.full_name,
            "submission_key": page.context["form"].initial["submission_key"],
        },
    )
    loan.refresh_from_db()
    assert loan.receipt_signature.pupil == pupil


def test_the_return_page_requires_the_data_removed_tick_for_a_camera(
    school, office, borrower, conditions, camera, client_for
):
    loan = lend_to(school, office, borrower, [camera])
    sign_for(loan)
    item = loan.items.get()
    client = client_for(office)
    page = client.get(url("receive", school, loan.pk))
    fields = {
        **all_statements(conditions),
        "typed_name": "Priya Sharma",
        "submission_key": page.context["form"].initial["submission_key"],
        f"item_{item.pk}_returned": "on",
        f"item_{item.pk}_condition": "Fine",
    }
    response = client.post(url("receive", school, loan.pk), fields)
    assert response.status_code == 400
    assert "personal data" in response.content.decode()
    response = client.post(url("receive", school, loan.pk), {**fields, f"item_{item.pk}_personal_data_removed": "on"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.returned_at and item.personal_data_removed


def test_the_holder_reports_their_device_lost_from_my_equipment(
    school, office, borrower, conditions, laptop, client_for
):
    loan = lend_to(school, office, borrower, [laptop])
    sign_for(loan)
    client = client_for(borrower)
    page = client.get(url("lost", school, laptop.pk))
    response = client.post(
        url("lost", school, laptop.pk),
        {
            "happened_at": (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "where": "Staff car park",
            "what_happened": "Taken from my car.",
            "submission_key": page.context["form"].initial["submission_key"],
        },
    )
    assert response.status_code == 302
    laptop.refresh_from_db()
    assert laptop.status == DeviceStatus.LOST_OR_STOLEN
    assert Incident.objects.get().reported_by == borrower


def test_the_overdue_and_leavers_lists_open_for_the_head(school, head, office, borrower, conditions, client_for):
    tablet = make_device(school, "tablet", serial_number="OVERDUE-1")
    loan = lend_to(school, office, borrower, [tablet], until_leaving=False, due_on=timezone.localdate())
    Loan.objects.filter(pk=loan.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
    client = client_for(head)
    assert "OVERDUE-1" in client.get(url("overdue", school)).content.decode()
    assert client.get(url("leavers", school)).status_code == 200


def test_the_office_opens_a_loans_signed_pdf_but_not_another_signature_through_it(
    school, office, borrower, teacher, conditions, staff_form, laptop, client_for
):
    loan = lend_to(school, office, borrower, [laptop])
    receipt = sign_for(loan)
    other = sign_staff_agreement_of(teacher, staff_form)
    client = client_for(office)
    path = url("loan_pdf", school, loan.pk)
    assert client.get(path).status_code in (200, 202)
    assert client.get(path, {"signature": receipt.pk}).status_code in (200, 202)
    assert client.get(path, {"signature": other.pk}).status_code == 404
    assert client_for(borrower).get(path).status_code in (200, 202)
    assert client_for(teacher).get(path).status_code == 404


def sign_staff_agreement_of(user, form):
    from .conftest import sign_staff_agreement

    return sign_staff_agreement(user, form)


def test_the_asset_labels_are_a_pdf_whose_qr_codes_open_the_device_page(school, office, client_for, settings):
    from unittest import mock

    laptop = make_device(school, "laptop", serial_number="QR-1", asset_tag="OAK-9")
    make_device(school, "laptop", serial_number="GONE-1", status=DeviceStatus.DISPOSED)
    with mock.patch("agreements.pdf.qr_code_data_uri", return_value="data:image/svg+xml;base64,") as qr:
        response = client_for(office).get(url("labels", school))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert [c.args[0] for c in qr.call_args_list] == [settings.SITE_URL + url("device", school, laptop.pk)]
