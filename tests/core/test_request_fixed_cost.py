"""The fixed cost of a signed-in page (issue 19): who the person is (memberships,
trusts) is loaded once a request; nothing is computed for a role that cannot see it
(the family overview for staff); the family overview is computed once on /family/;
the session's activity is written at most once a SESSION_ACTIVITY_RESOLUTION.

Query counts only, compared between two sizes or two requests, never wall-clock time."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from core.roles import Role
from tests.factories import GuardianshipFactory, MembershipFactory, PupilFactory, SchoolClassFactory, SchoolFactory

from ..conftest import make_member, sign_in_with_mfa

pytestmark = pytest.mark.django_db


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _settled(client, path):
    """The queries of a request after the first of the session (which starts the
    session's clocks and writes them)."""
    client.get(path)
    return _queries(client, path)


def _from(queries, table):
    return [q for q in queries if f'FROM "{table}"' in q]


def _writes(queries):
    return [q for q in queries if q.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]


# --- Who the person is: once a request --------------------------------------------------


@pytest.mark.parametrize("who", ["parent", "teacher", "head"])
def test_memberships_and_trusts_are_loaded_once_a_request(request, client_for, who):
    """Before issue 19 the two-step middleware, the idle clock, the menu's "is a carer"
    and the desk each asked again: 3 to 4 membership queries and 2 to 3 trust ones."""
    user = request.getfixturevalue(who)
    path = "/family/" if who == "parent" else "/home/"

    queries = _settled(client_for(user), path)

    whose = [q for q in _from(queries, "schools_membership") if f'"schools_membership"."user_id" = {user.pk}' in q]
    assert len(whose) == 1, whose
    assert len(_from(queries, "schools_trustmembership")) <= 1


def test_a_teachers_home_computes_nothing_of_a_family_they_do_not_have(client_for, teacher, school):
    """Staff who are nobody's carer: no family overview (guardianships, parents' forms)
    on their pages; a teacher who is also a parent gets it."""
    queries = _settled(client_for(teacher), "/home/")

    assert _from(queries, "schools_guardianship") == []


def test_family_page_computes_the_family_overview_once(client_for, parent):
    """/family/ lists the forms to sign and its menu counts them: one overview."""
    queries = _settled(client_for(parent), "/family/")

    parents_forms = [q for q in _from(queries, "aup_agreementform") if "'parents'" in q]
    assert len(parents_forms) == 1, parents_forms


def _parent_of(n_children, n_schools, trust):
    schools = [SchoolFactory(trust=trust) for _ in range(n_schools)]
    user = None
    for index in range(n_children):
        school = schools[index % n_schools]
        if user is None:
            user = make_member(school, Role.PARENT)
        elif not user.memberships.filter(school=school).exists():
            MembershipFactory(user=user, school=school, roles=[Role.PARENT])
        pupil = PupilFactory(school=school, school_class=SchoolClassFactory(school=school))
        GuardianshipFactory(pupil=pupil, carer=user)
    return user


def test_family_page_query_count_does_not_grow_with_children_or_schools(client, trust):
    one = _settled(sign_in_with_mfa(client, _parent_of(1, 1, trust)), "/family/")
    client.logout()
    four = _settled(sign_in_with_mfa(client, _parent_of(4, 2, trust)), "/family/")

    assert len(four) == len(one), "\n".join(four)


@pytest.mark.parametrize("who", ["teacher", "head"])
def test_home_query_count_does_not_grow_with_schools(request, client, trust, who):
    """A member of staff of one school and of three: the same queries (the desk and the
    school switcher share the memberships loaded once)."""
    role = Role.TEACHER if who == "teacher" else Role.HEADTEACHER
    schools = [SchoolFactory(trust=trust) for _ in range(3)]
    one = make_member(schools[0], role, mfa=True)
    several = make_member(schools[0], role, mfa=True)
    for school in schools[1:]:
        MembershipFactory(user=several, school=school, roles=[role])

    single = _settled(sign_in_with_mfa(client, one), "/home/")
    client.logout()
    multiple = _settled(sign_in_with_mfa(client, several), "/home/")

    # Staff of one school get its menu on their home page: a query or two of their own.
    assert len(multiple) <= len(single), "\n".join(multiple)


# --- Session activity: at most once a resolution ---------------------------------------


@override_settings(SESSION_ACTIVITY_RESOLUTION=datetime.timedelta(minutes=1))
def test_session_activity_is_written_at_most_once_a_minute(client_for, teacher):
    from allauth.usersessions.models import UserSession

    client = client_for(teacher)
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        client.get("/home/")  # starts the session's clocks
    with time_machine.travel(start + datetime.timedelta(seconds=59), tick=False):
        quiet = _queries(client, "/home/")
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        saved = _queries(client, "/home/")

    assert _writes(quiet) == []
    assert any("usersessions_usersession" in q for q in _writes(saved))
    assert any("django_session" in q for q in _writes(saved))
    seen = UserSession.objects.get(session_key=client.session.session_key).last_seen_at
    assert seen == start + datetime.timedelta(seconds=61)


def test_a_new_browser_or_address_is_written_at_once(client_for, teacher):
    """The "your sessions" list shows the address and browser of each session: a change
    is recorded on the request that brings it, whatever the clock."""
    from allauth.usersessions.models import UserSession

    client = client_for(teacher)
    client.get("/home/")
    assert _writes(_queries(client, "/home/")) == []

    with CaptureQueriesContext(connection):
        client.get("/home/", headers={"user-agent": "Firefox on the staffroom PC"})

    row = UserSession.objects.get(session_key=client.session.session_key)
    assert row.user_agent == "Firefox on the staffroom PC"


def test_query_count_tests_meet_no_activity_save(client_for, teacher):
    """Under the test settings the resolution outlasts any test: after the first request
    no request of the session writes, so query-count tests compare like with like."""
    client = client_for(teacher)
    client.get("/home/")

    for _ in range(3):
        assert _writes(_queries(client, "/home/")) == []
