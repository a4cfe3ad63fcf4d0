"""Two steps everywhere, in Chromium: the Django admin is reached through the portal's
own sign-in and its code; a session that skipped the second step is asked for it."""

import re

from playwright.sync_api import expect

from accounts.models import User
from core.roles import Role
from schools.models import MembershipRole

from ..conftest import give_mfa, make_member
from ..factories import PASSWORD
from .conftest import sign_in_with_password, totp_code


def test_superuser_reaches_the_admin_through_the_portals_sign_in_and_code(page, check_page, db):
    operator = User.objects.create_superuser("ops@example.org", PASSWORD, first_name="Olu")
    secret = give_mfa(operator)

    page.goto("/django-admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    check_page(page, "sign-in")
    page.get_by_label(re.compile("email", re.I)).fill(operator.email)
    page.get_by_label(re.compile("password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()

    expect(page).to_have_url(re.compile(r"/django-admin/$"))
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def test_session_that_skipped_the_second_step_is_asked_for_the_code(page, check_page, school):
    # A teacher signs in with a password; later they are made DSL and turn on two-step
    # sign-in on another device. This browser's session passed one step only.
    teacher = make_member(school, Role.TEACHER)
    sign_in_with_password(page, check_page, teacher.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {teacher.first_name}")
    MembershipRole.objects.create(membership=teacher.memberships.get(), role=Role.DSL)
    secret = give_mfa(teacher)

    page.get_by_role("main").get_by_role("link", name=school.name).click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/reauthenticate/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    expect(page.get_by_role("status")).to_contain_text("Enter the code from your authenticator app")
    check_page(page, "enter your code")
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(school.name)
    check_page(page, "school")
