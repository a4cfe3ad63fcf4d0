"""Someone who leaves is signed out at once and cannot sign in again, unless they still
belong to another school."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from schools.models import Membership
from schools.services import mark_leaver

from ..conftest import make_member, sign_in_with_mfa
from .conftest import is_signed_in_as, login_codes_in, sign_in

pytestmark = pytest.mark.django_db

HOME = "/home/"


def membership_of(user, school):
    return Membership.objects.get(user=user, school=school)


def signed_in(user):
    client = sign_in_with_mfa(Client(), user)
    assert client.get(HOME).status_code == 200
    return client


def test_leaver_who_is_signed_in_is_signed_out_at_once(teacher, school, head):
    client = signed_in(teacher)
    session_key = client.session.session_key

    mark_leaver(membership=membership_of(teacher, school), leaving_date=timezone.localdate(), by=head)
    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Session.objects.filter(session_key=session_key).exists()


def test_leaver_is_signed_out_of_every_browser(teacher, school, head):
    laptop, phone = signed_in(teacher), signed_in(teacher)

    mark_leaver(membership=membership_of(teacher, school), leaving_date=timezone.localdate(), by=head)

    assert laptop.get(HOME).status_code == 302
    assert phone.get(HOME).status_code == 302


def test_leaver_cannot_sign_in_again_with_their_password(client, teacher, school, head):
    mark_leaver(membership=membership_of(teacher, school), leaving_date=timezone.localdate(), by=head)

    response = sign_in(client, teacher.email)

    assert not is_signed_in_as(client, teacher)
    assert response.url == reverse("account_inactive")
    assert client.get(HOME).status_code == 302


def test_leaver_cannot_sign_in_again_with_an_emailed_code(client, parent, school, head, mailoutbox):
    mark_leaver(membership=membership_of(parent, school), leaving_date=timezone.localdate(), by=head)

    client.post(reverse("account_request_login_code"), {"email": parent.email})
    for code in login_codes_in(mailoutbox):
        client.post(reverse("account_confirm_login_code"), {"code": code})

    assert not is_signed_in_as(client, parent)


def test_leaver_who_still_works_at_another_school_stays_signed_in(school, sister_school, head):
    teacher = make_member(school, Role.TEACHER)
    Membership.objects.create(user=teacher, school=sister_school, status=Membership.Status.ACTIVE)
    client = signed_in(teacher)

    mark_leaver(membership=membership_of(teacher, school), leaving_date=timezone.localdate(), by=head)

    assert client.get(HOME).status_code == 200
    other = Client()
    sign_in(other, teacher.email)
    assert is_signed_in_as(other, teacher)


def test_person_leaving_at_the_end_of_term_can_still_sign_in_until_then(client, teacher, school, head):
    client = signed_in(teacher)

    mark_leaver(
        membership=membership_of(teacher, school),
        leaving_date=timezone.localdate() + datetime.timedelta(days=30),
        by=head,
    )

    assert client.get(HOME).status_code == 200
