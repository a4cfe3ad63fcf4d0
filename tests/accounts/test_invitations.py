"""Opening an invitation link: newcomers choose a password; people the portal already
knows sign in and confirm; a link works once, for 7 days, and only the newest one."""

import datetime
import hashlib

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from accounts.models import Invitation, User
from core.models import AuditEvent
from core.roles import Role
from schools import services as school_services
from schools.models import Membership

from ..conftest import give_mfa, make_member
from .conftest import NEW_PASSWORD, is_signed_in_as, link_in, sign_in, token_of, totp_code

pytestmark = pytest.mark.django_db

NEWCOMER = "nadia.shah@example.org"


def choose_password(client, link, password1=NEW_PASSWORD, password2=None):
    return client.post(link, {"password1": password1, "password2": password2 or password1})


# --- A newcomer -----------------------------------------------------------------------


def test_newcomer_sees_the_form_to_choose_a_password(client, invite_person, school):
    _, link = invite_person(NEWCOMER)

    response = client.get(link)

    assert response.status_code == 200
    assert f"Join {school.name}" in response.text
    assert 'name="password1"' in response.text
    assert NEWCOMER in response.text


def test_newcomer_who_chooses_a_password_is_signed_in_and_lands_on_their_home_page(client, invite_person):
    membership, link = invite_person(NEWCOMER)

    response = choose_password(client, link)

    assert response.status_code == 302
    assert response.url == reverse("core:home")
    user = User.objects.get(email=NEWCOMER)
    assert is_signed_in_as(client, user)
    assert client.get(response.url).status_code == 200
    user.refresh_from_db()
    assert user.is_active
    assert user.check_password(NEW_PASSWORD)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    invitation = Invitation.objects.get(email=NEWCOMER)
    assert invitation.accepted_at is not None
    assert invitation.accepted_by == user


def test_newcomers_email_address_is_recorded_as_verified_and_primary(client, invite_person):
    _, link = invite_person(NEWCOMER)

    choose_password(client, link)

    address = EmailAddress.objects.get(user__email=NEWCOMER)
    assert address.email == NEWCOMER
    assert address.verified
    assert address.primary


def test_accepting_an_invitation_is_recorded_in_the_audit_log(client, invite_person, school):
    _, link = invite_person(NEWCOMER)

    choose_password(client, link)

    event = AuditEvent.objects.get(action="invitation.accepted")
    assert event.actor == User.objects.get(email=NEWCOMER)
    assert event.school == school


def test_newcomer_who_types_two_different_passwords_is_shown_the_message_beside_the_field(client, invite_person):
    membership, link = invite_person(NEWCOMER)

    response = choose_password(client, link, NEW_PASSWORD, "something else entirely")

    assert response.status_code == 200
    assert response.context["form"].errors["password2"] == ["The two passwords are different."]
    assert "The two passwords are different." in response.text
    assert not is_signed_in_as(client, User.objects.get(email=NEWCOMER))
    assert Invitation.objects.get(email=NEWCOMER).accepted_at is None
    membership.refresh_from_db()
    assert membership.status == Membership.Status.INVITED
    assert not User.objects.get(email=NEWCOMER).is_active


def test_newcomer_who_chooses_a_short_password_is_told_it_is_too_short(client, invite_person):
    membership, link = invite_person(NEWCOMER)

    response = choose_password(client, link, "short1!")

    assert response.status_code == 200
    errors = response.context["form"].errors["password1"]
    assert any("too short" in error for error in errors)
    assert "too short" in response.text
    assert Invitation.objects.get(email=NEWCOMER).accepted_at is None
    user = User.objects.get(email=NEWCOMER)
    assert not user.is_active
    assert not user.has_usable_password()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.INVITED


def test_newcomer_with_a_sensitive_role_is_taken_to_set_up_two_step_sign_in_after_joining(client, invite_person):
    _, link = invite_person(NEWCOMER, Role.DSL)

    response = choose_password(client, link)
    response = client.get(response.url)

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


# --- One link, once, for a week -------------------------------------------------------


def test_invitation_link_works_only_once(client, invite_person):
    _, link = invite_person(NEWCOMER)
    choose_password(client, link)

    response = Client().get(link)

    assert response.status_code == 410
    assert "This invitation has already been used" in response.text


def test_used_invitation_link_cannot_be_used_to_change_the_password_again(invite_person):
    _, link = invite_person(NEWCOMER)
    choose_password(Client(), link)

    response = choose_password(Client(), link, "someone else's new password")

    assert response.status_code == 410
    assert User.objects.get(email=NEWCOMER).check_password(NEW_PASSWORD)


def test_invitation_link_still_works_just_before_seven_days(client, invite_person, time_machine):
    time_machine.move_to(datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC), tick=False)
    _, link = invite_person(NEWCOMER)

    time_machine.shift(datetime.timedelta(days=7) - datetime.timedelta(minutes=1))
    response = client.get(link)

    assert response.status_code == 200


def test_invitation_link_expires_after_seven_days(client, invite_person, time_machine):
    time_machine.move_to(datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC), tick=False)
    _, link = invite_person(NEWCOMER)

    time_machine.shift(datetime.timedelta(days=7, minutes=1))
    response = client.get(link)

    assert response.status_code == 410
    assert "This invitation has expired" in response.text
    response = choose_password(client, link)
    assert response.status_code == 410
    assert not User.objects.get(email=NEWCOMER).is_active


def test_resending_an_invitation_makes_the_old_link_say_it_was_replaced(client, invite_person, head, mailoutbox):
    membership, old_link = invite_person(NEWCOMER)

    school_services.invite(membership=membership, by=head)
    response = client.get(old_link)

    assert response.status_code == 410
    assert "This invitation has been replaced" in response.text


def test_resent_invitation_link_works(client, invite_person, head, mailoutbox, django_capture_on_commit_callbacks):
    membership, old_link = invite_person(NEWCOMER)
    with django_capture_on_commit_callbacks(execute=True):
        school_services.invite(membership=membership, by=head)
    new_link = link_in(mailoutbox[-1])

    assert len(mailoutbox) == 2
    assert new_link != old_link
    assert client.get(new_link).status_code == 200


def test_unknown_invitation_link_says_it_is_not_valid(client):
    response = client.get(reverse("accounts:invitation", args=["not-a-real-token"]))

    assert response.status_code == 410
    assert "This invitation link is not valid" in response.text


def test_only_the_sha256_of_the_invitation_token_is_stored(invite_person):
    _, link = invite_person(NEWCOMER)
    token = token_of(link)

    invitation = Invitation.objects.get(email=NEWCOMER)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 32
    stored = [str(value) for value in Invitation.objects.values_list().get(pk=invitation.pk)]
    assert not any(token in value for value in stored)
    assert not AuditEvent.objects.filter(summary__contains=token).exists()
    assert not AuditEvent.objects.filter(data__icontains=token).exists()


# --- Someone the portal already knows -------------------------------------------------


@pytest.fixture
def known_teacher(other_school):
    """A teacher at another school, with an account and a password."""
    return make_member(other_school, Role.TEACHER)


def test_known_person_is_asked_to_sign_in_rather_than_choose_a_password(client, invite_person, known_teacher):
    _, link = invite_person(known_teacher.email)

    response = client.get(link)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={link}"


def test_known_person_who_signs_in_confirms_and_joins_with_the_same_account(
    client, invite_person, known_teacher, school
):
    users_before = User.objects.count()
    membership, link = invite_person(known_teacher.email)
    assert membership.user == known_teacher

    response = sign_in(client, known_teacher.email, next_url=link)
    assert response.status_code == 302
    assert response.url == link
    response = client.get(link)
    assert response.status_code == 200
    assert "You already have an account" in response.text
    assert 'name="password1"' not in response.text

    response = client.post(link)

    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert User.objects.count() == users_before
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert set(Membership.objects.active().filter(user=known_teacher).values_list("school__slug", flat=True)) == {
        school.slug,
        "elm-tree",
    }
    assert Invitation.objects.get(email=known_teacher.email).accepted_by == known_teacher


def test_known_person_keeps_their_password_when_they_join(client, invite_person, known_teacher):
    _, link = invite_person(known_teacher.email)
    sign_in(client, known_teacher.email, next_url=link)

    client.post(link, {"password1": "a different password", "password2": "a different password"})

    known_teacher.refresh_from_db()
    assert not known_teacher.check_password("a different password")


def test_invitation_opened_while_signed_in_as_someone_else_says_it_is_for_another_account(
    client_for, invite_person, known_teacher, teacher
):
    membership, link = invite_person(known_teacher.email)
    client = client_for(teacher)

    response = client.get(link)

    assert response.status_code == 200
    assert "This invitation is for another account" in response.text
    assert known_teacher.email in response.text
    client.post(link)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.INVITED
    assert Invitation.objects.get(email=known_teacher.email).accepted_at is None


def test_known_person_with_two_step_sign_in_comes_back_to_the_invitation_after_the_code(
    client, invite_person, other_school
):
    head_elsewhere = make_member(other_school, Role.HEADTEACHER, mfa=False)
    secret = give_mfa(head_elsewhere)
    membership, link = invite_person(head_elsewhere.email)

    response = sign_in(client, head_elsewhere.email, next_url=link)
    assert response.url == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.url == link
    client.post(link)

    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
