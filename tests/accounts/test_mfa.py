"""Two-step sign-in: who must set it up before reaching any page, setting it up
through allauth's own form, and being asked for the code at sign-in."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.roles import Role
from schools.models import MembershipRole

from ..conftest import give_mfa, make_member
from ..factories import PASSWORD, TrustMembershipFactory
from .conftest import is_signed_in_as, sign_in, totp_code

pytestmark = pytest.mark.django_db

HOME = "/home/"


def school_home(school):
    return reverse("schools:home", args=[school.slug])


@pytest.fixture
def dsl_without_mfa(school):
    return make_member(school, Role.DSL, mfa=False)


# --- Who is sent to set it up ---------------------------------------------------------


def test_dsl_without_two_step_sign_in_is_sent_to_set_it_up_from_home(client_for, dsl_without_mfa):
    response = client_for(dsl_without_mfa).get(HOME)

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_dsl_without_two_step_sign_in_is_sent_to_set_it_up_from_the_school_pages(client_for, dsl_without_mfa, school):
    response = client_for(dsl_without_mfa).get(school_home(school))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_dsl_is_told_why_they_must_set_up_two_step_sign_in(client_for, dsl_without_mfa):
    response = client_for(dsl_without_mfa).get(HOME, follow=True)

    assert "you need to set up two-step sign-in" in response.text


def test_dsl_with_two_step_sign_in_reaches_their_pages(client_for, dsl, school):
    client = client_for(dsl)

    assert client.get(HOME).status_code == 200
    assert client.get(school_home(school)).status_code == 200


def test_teacher_is_not_asked_to_set_up_two_step_sign_in(client_for, teacher, school):
    client = client_for(teacher)

    assert client.get(HOME).status_code == 200
    assert client.get(school_home(school)).status_code == 200


def test_teacher_is_asked_to_set_it_up_when_the_school_asks_all_staff(client_for, teacher, school):
    school.mfa_for_all_staff = True
    school.save()

    response = client_for(teacher).get(HOME)

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_teacher_of_another_school_is_not_affected_by_this_schools_setting(client_for, school, other_school):
    elsewhere = make_member(other_school, Role.TEACHER)
    school.mfa_for_all_staff = True
    school.save()

    assert client_for(elsewhere).get(HOME).status_code == 200


def test_parent_is_not_asked_even_when_the_school_asks_all_staff(client_for, parent, school):
    school.mfa_for_all_staff = True
    school.save()

    assert client_for(parent).get(HOME).status_code == 200


def test_trust_officer_without_two_step_sign_in_is_sent_to_set_it_up(client_for, trust):
    officer = TrustMembershipFactory(trust=trust).user

    response = client_for(officer).get(HOME)

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_former_trust_officer_is_not_asked(client_for, trust):
    officer = TrustMembershipFactory(trust=trust, ended_at=timezone.now()).user

    assert client_for(officer).get(HOME).status_code == 200


def test_dsl_without_two_step_sign_in_can_still_sign_out(client_for, dsl_without_mfa):
    client = client_for(dsl_without_mfa)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- Setting it up ----------------------------------------------------------------------


def open_totp_setup(client):
    """allauth asks for the password again before adding an authenticator
    (MFA_REAUTHENTICATION_REQUIRED), even straight after signing in."""
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    response = client.post(response.url, {"password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    return client.get(response.url)


# allauth announces a new authenticator once it is committed, and typing its code counts
# as passing the second step in that session: with real transactions, as in production.
@pytest.mark.django_db(transaction=True)
def test_dsl_sets_up_two_step_sign_in_with_the_real_form_and_then_reaches_home(client, dsl_without_mfa):
    sign_in(client, dsl_without_mfa.email)
    assert client.get(HOME).url == reverse("mfa_activate_totp")

    response = open_totp_setup(client)
    assert response.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in response.text  # shown for people who cannot scan the QR code

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response.url == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=dsl_without_mfa, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=dsl_without_mfa, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get(response.url).status_code == 200
    assert client.get(HOME).status_code == 200


def test_wrong_code_does_not_set_up_two_step_sign_in(client, dsl_without_mfa):
    sign_in(client, dsl_without_mfa.email)
    open_totp_setup(client)
    secret = client.session["mfa.totp.secret"]
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("mfa_activate_totp"), {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not Authenticator.objects.filter(user=dsl_without_mfa).exists()
    assert client.get(HOME).url == reverse("mfa_activate_totp")


# --- Signing in with it -----------------------------------------------------------------


def test_person_with_two_step_sign_in_is_asked_for_the_code_after_the_password(client, school):
    dsl = make_member(school, Role.DSL, mfa=False)
    secret = give_mfa(dsl)

    response = sign_in(client, dsl.email)

    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert not is_signed_in_as(client, dsl)
    assert client.get(HOME).status_code == 302
    assert client.get(HOME).url.startswith(reverse("account_login"))

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert is_signed_in_as(client, dsl)
    assert client.get(HOME).status_code == 200


def test_wrong_code_at_sign_in_does_not_sign_in(client, school):
    dsl = make_member(school, Role.DSL, mfa=False)
    secret = give_mfa(dsl)
    sign_in(client, dsl.email)
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("mfa_authenticate"), {"code": wrong})

    assert response.status_code == 200
    assert not is_signed_in_as(client, dsl)


# --- The session must have passed the second step ---------------------------------------


def reauthenticate_url(next_url):
    return f"{reverse('mfa_reauthenticate')}?next={next_url}"


def test_dsl_whose_session_passed_only_the_password_is_asked_for_the_code(client, dsl):
    client.force_login(dsl)  # a session that never passed the second step

    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url == reauthenticate_url(HOME)


def test_dsl_whose_session_passed_only_the_password_cannot_reach_the_school_pages(client, dsl, school):
    client.force_login(dsl)

    response = client.get(school_home(school))

    assert response.status_code == 302
    assert response.url == reauthenticate_url(school_home(school))


def test_dsl_whose_session_passed_only_the_password_cannot_manage_their_account(client, dsl):
    """Without the second step, account pages (where two-step sign-in could be turned
    off with the password alone) are out of reach too."""
    client.force_login(dsl)

    for page in (reverse("mfa_index"), reverse("mfa_deactivate_totp"), reverse("account_change_password")):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url == reauthenticate_url(page), page


def test_dsl_asked_for_the_code_is_told_why(client, dsl):
    client.force_login(dsl)

    response = client.get(HOME, follow=True)

    assert "Enter the code from your authenticator app" in response.text


def test_dsl_who_enters_the_code_goes_on_to_the_page_they_asked_for(client, school):
    dsl = make_member(school, Role.DSL, mfa=False)
    secret = give_mfa(dsl)
    client.force_login(dsl)
    next_url = school_home(school)

    response = client.post(reauthenticate_url(next_url), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response.url == next_url
    assert client.get(next_url).status_code == 200


def test_dsl_asked_for_the_code_can_still_sign_out(client, dsl):
    client.force_login(dsl)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_code_does_not_let_the_session_through(client, school):
    dsl = make_member(school, Role.DSL, mfa=False)
    secret = give_mfa(dsl)
    client.force_login(dsl)
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"

    response = client.post(reauthenticate_url(HOME), {"code": wrong})

    assert response.status_code == 200
    assert client.get(HOME).url == reauthenticate_url(HOME)


def test_session_signed_in_before_two_step_sign_in_was_set_up_elsewhere_is_asked_for_the_code(client, school):
    """A teacher signs in with a password on one computer, is made DSL and sets up
    two-step sign-in on another: the first computer's session passed one step only."""
    teacher = make_member(school, Role.TEACHER)
    sign_in(client, teacher.email)
    assert client.get(HOME).status_code == 200

    MembershipRole.objects.create(membership=teacher.memberships.get(), role=Role.DSL)
    give_mfa(teacher)

    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url == reauthenticate_url(HOME)


def test_teacher_whose_session_passed_only_the_password_is_not_asked(client, school):
    """People who need not use two-step sign-in are not asked for a code, even when they
    have set it up and their session skipped it."""
    teacher = make_member(school, Role.TEACHER, mfa=True)
    client.force_login(teacher)

    assert client.get(HOME).status_code == 200


def test_signing_in_with_password_and_code_passes_both_steps(client, school):
    dsl = make_member(school, Role.DSL, mfa=False)
    secret = give_mfa(dsl)
    sign_in(client, dsl.email)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert client.get(HOME).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


# --- Staff of the site (the Django admin) ------------------------------------------------


def test_site_staff_without_two_step_sign_in_is_sent_to_set_it_up(client, db):
    operator = User.objects.create_superuser("ops@example.org", PASSWORD)
    sign_in(client, operator.email)

    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
