from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import Role

from ..conftest import give_mfa, make_member
from ..factories import MembershipFactory, SchoolFactory, TrustMembershipFactory


def _home_queries(client):
    client.get("/home/")  # the first request of a session writes to it
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/home/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_home_lists_unaccepted_invitations_for_each_school_the_person_manages(client_for, school, sister_school):
    office = make_member(school, Role.OFFICE)
    MembershipFactory(user=office, school=sister_school, roles=[Role.OFFICE])
    MembershipFactory(school=school, status="invited")
    MembershipFactory(school=sister_school, status="invited")
    MembershipFactory(school=sister_school, status="invited")

    _, html = _home_queries(client_for(office))

    assert "1 invited person has not joined yet" in html
    assert "2 invited people have not joined yet" in html


def test_a_teacher_sees_no_invitation_to_do(client_for, school, teacher):
    MembershipFactory(school=school, status="invited")

    _, html = _home_queries(client_for(teacher))

    assert "not joined yet" not in html


def test_home_query_count_does_not_grow_with_the_trusts_schools(client_for, trust):
    officer = TrustMembershipFactory(trust=trust).user
    give_mfa(officer)
    head = make_member(SchoolFactory(trust=trust), Role.HEADTEACHER)

    def add_school_run_by_head():
        school = SchoolFactory(trust=trust)
        MembershipFactory(user=head, school=school, roles=[Role.HEADTEACHER])
        MembershipFactory(school=school, status="invited")

    add_school_run_by_head()
    few_officer, _ = _home_queries(client_for(officer))
    few_head, _ = _home_queries(client_for(head))
    for _ in range(5):
        add_school_run_by_head()
    many_officer, _ = _home_queries(client_for(officer))
    many_head, html = _home_queries(client_for(head))

    assert many_officer == few_officer
    assert many_head == few_head
    assert html.count("not joined yet") == 6
