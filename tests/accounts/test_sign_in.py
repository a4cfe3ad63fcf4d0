"""Signing in: with a password or an emailed code, never by signing up; repeated
failures are refused for a while; every sign-in and failure goes to the audit log."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from core.models import AuditEvent
from core.roles import Role

from ..conftest import make_member
from .conftest import NEW_PASSWORD, is_signed_in_as, login_codes_in, sign_in

pytestmark = pytest.mark.django_db

# ACCOUNT_RATE_LIMITS["login_failed"] allows 5 failures per 5 minutes for one address.
FAILURES_ALLOWED = 5


# --- No public sign-up ----------------------------------------------------------------


def test_sign_up_page_says_sign_up_is_closed(client):
    response = client.get(reverse("account_signup"))

    assert response.status_code == 200
    assert "Sign up closed" in response.text
    assert 'name="password1"' not in response.text


def test_posting_the_sign_up_form_creates_no_account(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "stranger@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Sign up closed" in response.text
    assert not User.objects.filter(email="stranger@example.org").exists()
    assert "_auth_user_id" not in client.session


# --- Password ---------------------------------------------------------------------------


def test_teacher_signs_in_with_email_and_password_and_lands_on_home(client, teacher):
    response = sign_in(client, teacher.email)

    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert is_signed_in_as(client, teacher)
    assert client.get(reverse("core:home")).status_code == 200


def test_email_address_is_matched_whatever_its_case(client, teacher):
    sign_in(client, teacher.email.upper())

    assert is_signed_in_as(client, teacher)


def test_wrong_password_is_refused(client, teacher):
    response = sign_in(client, teacher.email, "not the password")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_inactive_person_cannot_sign_in_even_with_the_right_password(client, teacher):
    User.objects.filter(pk=teacher.pk).update(is_active=False)

    response = sign_in(client, teacher.email)

    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response.url == reverse("account_inactive")
    assert client.get(reverse("core:home")).status_code == 302


def test_sign_in_is_recorded_in_the_audit_log(client, teacher):
    sign_in(client, teacher.email)

    event = AuditEvent.objects.get(action="auth.signed_in")
    assert event.actor == teacher
    assert event.ip_address == "127.0.0.1"
    assert teacher.email in event.summary


def test_failed_sign_in_is_recorded_in_the_audit_log_with_the_address_tried(client, teacher):
    sign_in(client, teacher.email, "not the password")

    event = AuditEvent.objects.get(action="auth.sign_in_failed")
    assert event.actor is None
    assert event.data == {"email": teacher.email}
    assert not AuditEvent.objects.filter(action="auth.signed_in").exists()


def test_sign_out_is_recorded_in_the_audit_log(client, teacher):
    sign_in(client, teacher.email)

    client.post(reverse("account_logout"))

    assert AuditEvent.objects.get(action="auth.signed_out").actor == teacher
    assert "_auth_user_id" not in client.session


def test_after_repeated_failures_even_the_right_password_is_refused(client, teacher):
    for _ in range(FAILURES_ALLOWED):
        sign_in(client, teacher.email, "guess")

    response = sign_in(client, teacher.email)

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_a_few_failures_do_not_stop_the_right_password(client, teacher):
    for _ in range(FAILURES_ALLOWED - 1):
        sign_in(client, teacher.email, "guess")

    sign_in(client, teacher.email)

    assert is_signed_in_as(client, teacher)


def test_failures_for_one_address_do_not_lock_out_another(client, teacher, school):
    colleague = make_member(school, Role.TEACHER)
    for _ in range(FAILURES_ALLOWED):
        sign_in(client, teacher.email, "guess")

    sign_in(client, colleague.email)

    assert is_signed_in_as(client, colleague)


# --- Emailed code ---------------------------------------------------------------------


def test_parent_signs_in_with_a_code_sent_by_email(client, parent, mailoutbox):
    response = client.post(reverse("account_request_login_code"), {"email": parent.email})
    assert response.status_code == 302
    assert response.url == reverse("account_confirm_login_code")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [parent.email]
    (code,) = login_codes_in(mailoutbox)

    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert is_signed_in_as(client, parent)


def test_wrong_emailed_code_does_not_sign_in(client, parent, mailoutbox):
    client.post(reverse("account_request_login_code"), {"email": parent.email})
    (code,) = login_codes_in(mailoutbox)
    wrong = "".join("B" if c == "A" else "A" for c in code)

    response = client.post(reverse("account_confirm_login_code"), {"code": wrong})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_inactive_person_cannot_sign_in_with_an_emailed_code(client, parent, mailoutbox):
    User.objects.filter(pk=parent.pk).update(is_active=False)

    client.post(reverse("account_request_login_code"), {"email": parent.email})
    for code in login_codes_in(mailoutbox):
        client.post(reverse("account_confirm_login_code"), {"code": code})

    assert "_auth_user_id" not in client.session


# --- Forgotten password -----------------------------------------------------------------

RESET_LINK = re.compile(r"http://testserver(/accounts/password/reset/key/\S+/)")


def test_password_reset_email_lets_the_person_choose_a_new_password(client, teacher, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": teacher.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [teacher.email]
    link = RESET_LINK.search(mailoutbox[0].body).group(1)

    response = client.get(link)
    assert response.status_code == 302  # to the same page without the key in the address
    set_password_url = response.url
    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_from_key_done")
    teacher.refresh_from_db()
    assert teacher.check_password(NEW_PASSWORD)
    sign_in(client, teacher.email, NEW_PASSWORD)
    assert is_signed_in_as(client, teacher)


def test_password_reset_link_works_only_once(client, teacher, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": teacher.email})
    link = RESET_LINK.search(mailoutbox[0].body).group(1)
    set_password_url = client.get(link).url
    client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    response = Client().get(link, follow=True)

    assert "Bad token" in response.text
    assert 'name="password1"' not in response.text


def test_password_reset_for_an_unknown_address_sends_no_link(client, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert not any(RESET_LINK.search(m.body) for m in mailoutbox)
