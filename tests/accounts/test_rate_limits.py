"""Failed sign-ins are limited per address and per account.

Addresses: behind the documented reverse proxy every request comes from the proxy, so
the client's address is read from X-Forwarded-For, trusting as many entries from the
right as there are proxies (NUM_PROXIES, which also sets allauth's
ALLAUTH_TRUSTED_PROXY_COUNT). Accounts: five failures lock the account, but only for
the addresses that failed; the right password from an address that has not failed
against it still gets through (and then faces the second step, if the person has one)."""

import datetime
import runpy

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from core.roles import Role

from ..conftest import give_mfa, make_member
from ..factories import PASSWORD
from .conftest import is_signed_in_as, totp_code

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
ADDRESS_A = "203.0.113.10"
ADDRESS_B = "198.51.100.20"
ACCOUNT_FAILURES_ALLOWED = 5  # ACCOUNT_RATE_LIMITS["login_failed"]: 5/5m/key
ADDRESS_FAILURES_ALLOWED = 10  # ACCOUNT_RATE_LIMITS["login_failed"]: 10/m/ip
TOO_MANY = "Too many failed login attempts"


def post_sign_in(client, email, password=PASSWORD, **headers):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **headers)


def from_address(address):
    """Headers for a request made directly from `address` (no proxy)."""
    return {"REMOTE_ADDR": address}


def through_proxy(forwarded_for):
    """Headers for a request relayed by our one proxy, which appends the client."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded_for}


@pytest.fixture
def one_proxy(settings):
    """The documented deployment: one proxy, NUM_PROXIES=1 and nothing else. (allauth's
    own ALLAUTH_TRUSTED_PROXY_COUNT is set from it when settings load; its rate limits
    ask the account adapter for the address, which reads NUM_PROXIES.)"""
    settings.NUM_PROXIES = 1


# --- Proxies -------------------------------------------------------------------------------


def test_allauths_trusted_proxy_count_is_set_from_num_proxies(monkeypatch):
    monkeypatch.setenv("NUM_PROXIES", "2")

    loaded = runpy.run_path(str(django_settings.BASE_DIR / "config" / "settings.py"))

    assert loaded["NUM_PROXIES"] == 2
    assert loaded["ALLAUTH_TRUSTED_PROXY_COUNT"] == 2


def test_behind_one_proxy_twelve_clients_failing_do_not_lock_out_a_teacher_at_a_thirteenth(one_proxy, teacher):
    for i in range(12):
        post_sign_in(Client(), f"nobody{i}@example.org", "guess", **through_proxy(f"198.51.100.{i + 1}"))

    client = Client()
    post_sign_in(client, teacher.email, **through_proxy("198.51.100.13"))

    assert is_signed_in_as(client, teacher)


def test_behind_one_proxy_one_client_failing_too_often_is_still_stopped(one_proxy, teacher):
    for i in range(ADDRESS_FAILURES_ALLOWED):
        post_sign_in(Client(), f"nobody{i}@example.org", "guess", **through_proxy(ADDRESS_A))

    client = Client()
    response = post_sign_in(client, teacher.email, **through_proxy(ADDRESS_A))

    assert TOO_MANY in response.text
    assert not is_signed_in_as(client, teacher)


def test_behind_one_proxy_a_client_cannot_escape_the_limit_by_forging_forwarded_addresses(one_proxy, teacher):
    """Only the entry our proxy appended (the last) is trusted; earlier ones are the
    client's own and can say anything."""
    for i in range(ADDRESS_FAILURES_ALLOWED):
        post_sign_in(Client(), f"nobody{i}@example.org", "guess", **through_proxy(f"192.0.2.{i + 1}, {ADDRESS_A}"))

    client = Client()
    response = post_sign_in(client, teacher.email, **through_proxy(f"192.0.2.99, {ADDRESS_A}"))

    assert TOO_MANY in response.text
    assert not is_signed_in_as(client, teacher)


def test_behind_one_proxy_the_audit_log_and_the_rate_limits_see_the_same_client(one_proxy, teacher):
    post_sign_in(Client(), teacher.email, "guess", **through_proxy(f"192.0.2.1, {ADDRESS_A}"))

    assert AuditEvent.objects.get(action="auth.sign_in_failed").ip_address == ADDRESS_A


# --- Per account ----------------------------------------------------------------------------


@pytest.fixture
def dsl_secret(school):
    dsl = make_member(school, Role.DSL, mfa=False, user__email="dsl@oakfield.example.org")
    return dsl, give_mfa(dsl)


def lock_account_from(address, email):
    attacker = Client()
    for _ in range(ACCOUNT_FAILURES_ALLOWED):
        post_sign_in(attacker, email, "guess", **from_address(address))
    return attacker


def test_after_five_wrong_passwords_from_one_address_the_dsl_signs_in_from_another_with_password_and_code(dsl_secret):
    dsl, secret = dsl_secret
    lock_account_from(ADDRESS_A, dsl.email)
    client = Client()

    response = post_sign_in(client, dsl.email, **from_address(ADDRESS_B))

    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert not is_signed_in_as(client, dsl)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}, **from_address(ADDRESS_B))

    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert is_signed_in_as(client, dsl)


def test_locked_account_still_needs_the_second_step_from_a_fresh_address(dsl_secret):
    dsl, secret = dsl_secret
    lock_account_from(ADDRESS_A, dsl.email)
    client = Client()
    post_sign_in(client, dsl.email, **from_address(ADDRESS_B))
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("mfa_authenticate"), {"code": wrong}, **from_address(ADDRESS_B))

    assert response.status_code == 200
    assert not is_signed_in_as(client, dsl)


def test_the_address_that_failed_is_refused_even_the_right_password_while_the_account_is_locked(dsl_secret):
    dsl, _ = dsl_secret
    attacker = lock_account_from(ADDRESS_A, dsl.email)

    response = post_sign_in(attacker, dsl.email, **from_address(ADDRESS_A))

    assert TOO_MANY in response.text
    assert "mfa_authenticate" not in response.get("Location", "")
    assert not is_signed_in_as(attacker, dsl)


def test_the_address_that_failed_is_refused_from_a_new_browser_too(dsl_secret):
    dsl, _ = dsl_secret
    lock_account_from(ADDRESS_A, dsl.email)
    client = Client()

    response = post_sign_in(client, dsl.email, **from_address(ADDRESS_A))

    assert TOO_MANY in response.text
    assert response.status_code == 200


def test_wrong_passwords_from_a_fresh_address_still_count(dsl_secret):
    dsl, _ = dsl_secret
    lock_account_from(ADDRESS_A, dsl.email)
    client = Client()

    response = post_sign_in(client, dsl.email, "another guess", **from_address(ADDRESS_B))
    assert response.status_code == 200
    assert response.context["form"].errors

    response = post_sign_in(client, dsl.email, **from_address(ADDRESS_B))

    assert TOO_MANY in response.text
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="auth.sign_in_failed").count() == ACCOUNT_FAILURES_ALLOWED + 1


def test_the_lock_on_the_address_that_failed_ends_after_five_minutes(dsl_secret, time_machine):
    dsl, _ = dsl_secret
    time_machine.move_to(datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC), tick=False)
    lock_account_from(ADDRESS_A, dsl.email)

    time_machine.shift(datetime.timedelta(minutes=5, seconds=1))
    response = post_sign_in(Client(), dsl.email, **from_address(ADDRESS_A))

    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")


def test_teacher_without_two_step_sign_in_signs_in_from_a_fresh_address_while_locked(teacher):
    lock_account_from(ADDRESS_A, teacher.email)
    client = Client()

    post_sign_in(client, teacher.email, **from_address(ADDRESS_B))

    assert is_signed_in_as(client, teacher)


def test_an_address_trying_many_accounts_is_still_stopped_by_the_per_address_limit(teacher):
    for i in range(ADDRESS_FAILURES_ALLOWED):
        post_sign_in(Client(), f"nobody{i}@example.org", "guess", **from_address(ADDRESS_A))

    client = Client()
    response = post_sign_in(client, teacher.email, **from_address(ADDRESS_A))

    assert TOO_MANY in response.text
    assert not is_signed_in_as(client, teacher)
