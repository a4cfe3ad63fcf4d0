"""Sessions: 12 hours from sign-in at most for everyone, 30 minutes idle for people
with sensitive roles, and a list of where you are signed in from which you can sign
out everywhere else."""

import datetime

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent

from ..conftest import sign_in_with_mfa

pytestmark = pytest.mark.django_db

HOME = "/home/"
MONDAY_9AM = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock(time_machine):
    """Time stands still at 9am until a test moves it on."""
    time_machine.move_to(MONDAY_9AM, tick=False)
    return time_machine


def start_session(client, user):
    """Sign in and make one request: the middleware starts its clocks then."""
    sign_in_with_mfa(client, user)
    response = client.get(HOME)
    assert response.status_code == 200
    return client


def assert_signed_out(response, next_url=HOME):
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={next_url}"


# --- Idle and absolute limits ----------------------------------------------------------


def test_dsl_idle_for_more_than_30_minutes_is_signed_out_on_their_next_request(client, dsl, clock):
    start_session(client, dsl)

    clock.shift(datetime.timedelta(minutes=31))
    response = client.get(HOME)

    assert_signed_out(response)
    assert "_auth_user_id" not in client.session
    assert client.get(HOME).url.startswith(reverse("account_login"))


def test_dsl_signed_out_for_being_idle_is_told_why(client, dsl, clock):
    start_session(client, dsl)

    clock.shift(datetime.timedelta(minutes=31))
    response = client.get(HOME, follow=True)

    assert "You were signed out to keep pupils" in response.text


def test_dsl_signed_out_for_being_idle_is_recorded_in_the_audit_log(client, dsl, clock):
    start_session(client, dsl)

    clock.shift(datetime.timedelta(minutes=31))
    client.get(HOME)

    assert AuditEvent.objects.get(action="auth.signed_out").actor == dsl


def test_dsl_idle_for_29_minutes_is_still_signed_in(client, dsl, clock):
    start_session(client, dsl)

    clock.shift(datetime.timedelta(minutes=29))

    assert client.get(HOME).status_code == 200


def test_dsl_who_keeps_working_stays_signed_in_past_30_minutes(client, dsl, clock):
    start_session(client, dsl)

    for _ in range(4):
        clock.shift(datetime.timedelta(minutes=20))
        assert client.get(HOME).status_code == 200


def test_trust_officer_idle_for_more_than_30_minutes_is_signed_out(client, trust_officer, clock):
    start_session(client, trust_officer)

    clock.shift(datetime.timedelta(minutes=31))

    assert_signed_out(client.get(HOME))


def test_teacher_idle_for_31_minutes_is_still_signed_in(client, teacher, clock):
    start_session(client, teacher)

    clock.shift(datetime.timedelta(minutes=31))

    assert client.get(HOME).status_code == 200


def test_anyone_is_signed_out_12_hours_after_signing_in_even_while_active(client, teacher, clock):
    start_session(client, teacher)

    for hours in (3, 6, 9):
        clock.move_to(MONDAY_9AM + datetime.timedelta(hours=hours))
        assert client.get(HOME).status_code == 200
    clock.move_to(MONDAY_9AM + datetime.timedelta(hours=11, minutes=55))
    assert client.get(HOME).status_code == 200

    clock.move_to(MONDAY_9AM + datetime.timedelta(hours=12, minutes=5))
    response = client.get(HOME)

    assert_signed_out(response)
    assert "_auth_user_id" not in client.session


def test_dsl_is_signed_out_12_hours_after_signing_in_even_while_active(client, dsl, clock):
    start_session(client, dsl)

    for _ in range(12 * 60 // 29):  # never idle for 30 minutes
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(HOME).status_code == 200
    clock.shift(datetime.timedelta(minutes=29))

    assert_signed_out(client.get(HOME))


def test_signed_out_person_goes_back_to_the_page_they_asked_for_after_signing_in_again(client, teacher, school, clock):
    start_session(client, teacher)
    page = reverse("schools:home", args=[school.slug])

    clock.shift(datetime.timedelta(hours=12, minutes=1))
    response = client.get(page)

    assert_signed_out(response, next_url=page)


# --- Where you are signed in ----------------------------------------------------------


def test_sessions_page_lists_the_current_session(client, teacher):
    client.force_login(teacher)
    client.get(HOME, HTTP_USER_AGENT="Staffroom browser 1.0")

    response = client.get(reverse("usersessions_list"), HTTP_USER_AGENT="Staffroom browser 1.0")

    assert response.status_code == 200
    assert [s.user for s in response.context["sessions"]] == [teacher]
    assert "Staffroom browser 1.0" in response.text
    assert "Current" in response.text


def test_sessions_page_needs_sign_in(client):
    response = client.get(reverse("usersessions_list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_sessions_page_lists_only_your_own_sessions(client, teacher, office):
    start_session(Client(HTTP_USER_AGENT="Office PC"), office)
    start_session(client, teacher)

    response = client.get(reverse("usersessions_list"))

    assert [s.user for s in response.context["sessions"]] == [teacher]
    assert "Office PC" not in response.text


def test_signing_out_everywhere_else_ends_other_sessions_but_not_this_one(teacher):
    laptop = start_session(Client(HTTP_USER_AGENT="Laptop"), teacher)
    classroom_pc = start_session(Client(HTTP_USER_AGENT="Classroom PC"), teacher)
    assert len(laptop.get(reverse("usersessions_list")).context["sessions"]) == 2
    classroom_session_key = classroom_pc.session.session_key

    response = laptop.post(reverse("usersessions_list"))

    assert response.status_code == 302
    assert response.url == reverse("usersessions_list")
    assert laptop.get(HOME).status_code == 200
    response = classroom_pc.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Session.objects.filter(session_key=classroom_session_key).exists()
    assert UserSession.objects.filter(user=teacher).count() == 1


def test_signing_out_everywhere_else_leaves_other_peoples_sessions_alone(teacher, office):
    laptop = start_session(Client(), teacher)
    office_pc = start_session(Client(), office)

    laptop.post(reverse("usersessions_list"))

    assert office_pc.get(HOME).status_code == 200


def test_signed_out_person_returns_to_the_whole_address_including_its_query(client, dsl, school, clock):
    start_session(client, dsl)
    page = reverse("schools:pupils", args=[school.slug]) + "?q=khan&page=2"

    clock.shift(datetime.timedelta(minutes=31))
    response = client.get(page)

    assert response.status_code == 302
    login_url, query = response.url.split("?", 1)
    assert login_url == reverse("account_login")
    assert QueryDict(query)["next"] == page
