"""Devices, loan conditions and loans for the tests, made through the services as the
pages make them."""

import itertools

import pytest

from agreements import services as agreements
from aup.models import Audience
from core.roles import Role
from devices import services
from devices.models import Device
from schools.models import Membership
from tests.agreements.signing_helpers import publish_form_for, publish_staff_form
from tests.conftest import make_member

_serials = itertools.count(1)
_keys = itertools.count(1)


def key() -> str:
    return f"devices-test-{next(_keys)}"


def make_device(school, device_type="laptop", *, encrypted=True, **fields) -> Device:
    values = {"make": "Dell", "model": "Latitude 5440", "serial_number": f"SN{next(_serials):05d}"}
    values.update(fields)
    return Device.objects.create(school=school, device_type=device_type, encrypted=encrypted, **values)


def all_numbers(form) -> list[int]:
    return [s.number for s in form.statements.all()]


def sign_staff_agreement(user, form):
    return agreements.sign(
        form=form, signer=user, typed_name=user.full_name, statements_agreed=all_numbers(form), submission_key=key()
    )


def membership_of(user, school) -> Membership:
    return Membership.objects.get(user=user, school=school)


def lend_to(school, by, user, devices, **fields):
    fields.setdefault("until_leaving", True)
    return services.lend(school=school, lent_by=by, devices=devices, borrower=membership_of(user, school), **fields)


def sign_for(loan, **fields):
    form = services.loan_conditions(loan.school)
    values = {
        "typed_name": loan.signer.full_name,
        "statements_agreed": all_numbers(form),
        "submission_key": key(),
    }
    values.update(fields)
    return services.sign_receipt(loan=loan, **values)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def conditions(school, head):
    """The school's published loan conditions."""
    return publish_form_for(school, head, Audience.LOANS, title="Equipment loans")


@pytest.fixture
def staff_form(school, head):
    return publish_staff_form(school, head)


@pytest.fixture
def borrower(school, staff_form):
    """A teacher who has signed the staff ICT agreement."""
    user = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Sharma")
    sign_staff_agreement(user, staff_form)
    return user


@pytest.fixture
def laptop(school):
    return make_device(school, "laptop", serial_number="DL5440-001", asset_tag="OAK-0001")


@pytest.fixture
def camera(school):
    return make_device(school, "camera", make="Canon", model="IXUS 285", serial_number="CAN-777")
