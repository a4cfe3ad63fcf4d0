"""The Django admin is signed into through the portal's own sign-in (allauth), so it
gets the same rate limits and the same second step as everything else: its own
password-only login form no longer signs anyone in."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from accounts.models import User
from core.roles import Role

from ..conftest import give_mfa, make_member, sign_in_with_mfa
from ..factories import PASSWORD
from .conftest import is_signed_in_as, sign_in, totp_code

pytestmark = pytest.mark.django_db

ADMIN = "/django-admin/"
ADMIN_LOGIN = "/django-admin/login/"


@pytest.fixture
def operator_secret():
    """A superuser who has set up two-step sign-in, and their TOTP secret."""
    operator = User.objects.create_superuser("ops@example.org", PASSWORD)
    return operator, give_mfa(operator)


def test_superuser_with_two_step_sign_in_cannot_reach_the_admin_by_posting_only_a_password(client, operator_secret):
    operator, _ = operator_secret

    client.post(ADMIN_LOGIN, {"username": operator.email, "password": PASSWORD, "next": ADMIN})

    assert not is_signed_in_as(client, operator)
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response.url.startswith(ADMIN_LOGIN)


def test_admin_login_page_no_longer_signs_anyone_in_with_a_password(client, db):
    operator = User.objects.create_superuser("ops@example.org", PASSWORD)  # no second step set up

    response = client.post(ADMIN_LOGIN, {"username": operator.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not is_signed_in_as(client, operator)


def test_admin_login_page_sends_people_to_the_portals_sign_in(client):
    response = client.get(f"{ADMIN_LOGIN}?next={ADMIN}")

    assert response.status_code == 302
    url = urlsplit(response.url)
    assert url.path == reverse("account_login")
    assert parse_qs(url.query) == {"next": [ADMIN]}


def test_superuser_reaches_the_admin_after_password_and_code(client, operator_secret):
    operator, secret = operator_secret

    response = sign_in(client, operator.email, next_url=ADMIN)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert client.get(ADMIN).status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response.url == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_superuser_whose_session_passed_only_the_password_is_asked_for_the_code_before_the_admin(
    client, operator_secret
):
    operator, _ = operator_secret
    client.force_login(operator)

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response.url == f"{reverse('mfa_reauthenticate')}?next={ADMIN}"


def test_superuser_without_two_step_sign_in_is_sent_to_set_it_up_before_the_admin(client, db):
    operator = User.objects.create_superuser("ops@example.org", PASSWORD)
    sign_in(client, operator.email, next_url=ADMIN)

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_signing_in_to_the_admin_is_limited_like_any_other_sign_in(client, operator_secret):
    operator, _ = operator_secret
    sign_in_page = client.get(f"{ADMIN_LOGIN}?next={ADMIN}").url  # the portal's, carrying next
    for _ in range(5):
        client.post(sign_in_page, {"login": operator.email, "password": "guess"})

    response = client.post(sign_in_page, {"login": operator.email, "password": PASSWORD})

    assert "Too many failed login attempts" in response.text
    assert not is_signed_in_as(client, operator)


def test_signed_in_member_of_staff_who_is_not_site_staff_is_refused_the_admin(client, school):
    head = make_member(school, Role.HEADTEACHER)
    sign_in_with_mfa(client, head)

    assert client.get(ADMIN).status_code in (302, 403)
    refused = client.get(ADMIN_LOGIN)
    assert refused.status_code == 403
    # The portal's own page, in plain words, not a bare "403 Forbidden".
    assert "You can't open this page" in refused.content.decode()
