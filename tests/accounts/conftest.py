"""Helpers for the accounts tests: inviting people the way the school office does
(through schools.services.add_person, reading the link from the email that is sent),
signing in through allauth's real forms, and computing TOTP codes."""

import re

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.test import Client
from django.urls import reverse

from core.roles import Role, capabilities_for
from schools import services as school_services

from ..factories import PASSWORD

INVITATION_LINK = re.compile(r"http://testserver(/invitations/[^/\s\"<]+/)")
NEW_PASSWORD = "a quiet walk by the canal"


def link_in(message) -> str:
    """The path of the invitation link in an email (checked in the text part)."""
    match = INVITATION_LINK.search(message.body)
    assert match, f"No invitation link in: {message.body}"
    return match.group(1)


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def totp_code(secret: str) -> str:
    """The code an authenticator app would show now for `secret`."""
    counters = list(yield_hotp_counters_from_time())  # [now - tolerance, ..., now + tolerance]
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def login_codes_in(mailoutbox) -> list[str]:
    """The sign-in codes in the emails sent so far (allauth puts the code on the line
    after "Your sign-in code is listed below")."""
    codes = []
    for message in mailoutbox:
        lines = [line.strip() for line in message.body.splitlines() if line.strip()]
        for i, line in enumerate(lines[:-1]):
            if line.startswith("Your sign-in code"):
                codes.append(lines[i + 1])
    return codes


def sign_in(client: Client, email: str, password: str = PASSWORD, next_url: str | None = None):
    """Post allauth's sign-in form, as a person would."""
    url = reverse("account_login")
    if next_url:
        url = f"{url}?next={next_url}"
    return client.post(url, {"login": email, "password": password})


def is_signed_in_as(client: Client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


@pytest.fixture
def invite_person(school, head, mailoutbox, django_capture_on_commit_callbacks):
    """invite_person(email, *roles) -> (membership, link path): the headteacher adds
    someone to `school`, and the invitation email goes out on commit."""

    def add(email, *roles, first_name="Nadia", last_name="Shah", to_school=None):
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            membership = school_services.add_person(
                school=to_school or school,
                email=email,
                first_name=first_name,
                last_name=last_name,
                roles=list(roles or [Role.TEACHER]),
                by=head,
                by_capabilities=capabilities_for([Role.HEADTEACHER]),
            )
        assert len(mailoutbox) == before + 1, "The invitation email was not sent"
        return membership, link_in(mailoutbox[-1])

    return add
