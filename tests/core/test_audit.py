"""The audit log: append-only, and each school sees only its own."""

import datetime
from html import escape

import pytest
import time_machine
from django.db import connection
from django.db.models.functions import Upper
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from core import audit
from core.models import AuditEvent
from core.roles import Role
from schools import services
from schools.models import Membership
from tests.conftest import make_member
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def event(school, head):
    return audit.record(action="membership.added", actor=head, school=school, summary="Added someone")


def _unchanged(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.summary) == ("membership.added", "Added someone")


# --- append-only -----------------------------------------------------------------


def test_an_audit_event_cannot_be_changed_through_the_orm(event):
    event.summary = "Nothing happened"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    _unchanged(event)


def test_an_audit_event_cannot_be_deleted_through_the_orm(event):
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()
    _unchanged(event)


def test_audit_events_cannot_be_changed_in_bulk_through_the_orm(event):
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(summary="Nothing happened")
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEvent.objects.update(summary=Upper("summary"))
    _unchanged(event)


def test_audit_events_cannot_be_deleted_in_bulk_through_the_orm(event):
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEvent.objects.all().delete()
    _unchanged(event)


def test_audit_events_can_still_be_added_in_bulk(school):
    AuditEvent.objects.bulk_create([AuditEvent(action="test.bulk", school=school) for _ in range(3)])
    assert AuditEvent.objects.filter(action="test.bulk").count() == 3


# The database's own refusals (to the runtime role and to the owner) are in
# test_evidence_roles.py.


def test_an_event_records_who_what_where_and_from_which_address(school, head):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    event = audit.record(
        action="membership.roles_changed", actor=head, school=school, obj=school, request=request, data={"a": 1}
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == head and stored.school == school
    assert stored.ip_address == "203.0.113.9"
    assert (stored.object_type, stored.object_id, stored.object_repr) == ("schools.school", str(school.pk), school.name)
    assert stored.data == {"a": 1}


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(settings):
    settings.NUM_PROXIES = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9"
    )  # the first entry could be forged by the client
    assert audit.client_ip(request) == "203.0.113.9"


def test_without_a_proxy_a_forwarded_header_is_ignored(settings):
    settings.NUM_PROXIES = 0
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert audit.client_ip(request) == "203.0.113.9"


# --- the audit log page ----------------------------------------------------------


def audit_url(school):
    return f"/s/{school.slug}/audit/"


def test_head_reads_the_school_audit_log(school, head, event, client_for):
    response = client_for(head).get(audit_url(school))
    assert response.status_code == 200
    assert "Added someone" in response.content.decode()
    assert escape(head.full_name) in response.content.decode()


def test_trust_officer_reads_the_audit_log_of_a_trust_school(school, trust_officer, event, client_for):
    response = client_for(trust_officer).get(audit_url(school))
    assert response.status_code == 200
    assert "Added someone" in response.content.decode()


@pytest.mark.parametrize("who", ["teacher", "dsl", "office", "governor", "parent", "outsider"])
def test_people_without_view_audit_log_cannot_read_it(who, school, event, request, client_for):
    response = client_for(request.getfixturevalue(who)).get(audit_url(school))
    assert response.status_code == 404
    assert "Added someone" not in response.content.decode()


def test_the_audit_log_of_one_school_does_not_show_another_schools_events(
    school, other_school, sister_school, head, event, client_for
):
    their_head = make_member(other_school, Role.HEADTEACHER)
    audit.record(action="membership.added", actor=their_head, school=other_school, summary="Elm Tree business")
    audit.record(action="membership.added", actor=head, school=sister_school, summary="Willow business")
    audit.record(action="auth.signed_in", actor=their_head, summary="Elm Tree head signed in")

    page = client_for(head).get(audit_url(school)).content.decode()

    assert "Added someone" in page
    assert "Elm Tree business" not in page
    assert "Willow business" not in page
    assert "Elm Tree head signed in" not in page


def test_the_audit_log_shows_sign_ins_of_the_schools_own_people(school, head, teacher, client_for):
    audit.record(action="auth.signed_in", actor=teacher, summary="The teacher signed in")
    audit.record(action="auth.sign_in_failed", summary="Failed sign-in for someone@example.org")
    page = client_for(head).get(audit_url(school)).content.decode()
    assert "The teacher signed in" in page
    assert "Failed sign-in for someone@example.org" not in page


def test_the_audit_log_can_show_one_kind_of_event(school, head, teacher, event, client_for):
    audit.record(action="auth.signed_in", actor=teacher, summary="The teacher signed in")
    page = client_for(head).get(audit_url(school), {"action": "auth."}).content.decode()
    assert "The teacher signed in" in page
    assert "Added someone" not in page


def test_the_audit_log_queries_do_not_grow_with_its_rows(school, head, client_for, django_assert_num_queries):
    browser = client_for(head)
    browser.get(audit_url(school))

    def add_rows(n):
        actors = UserFactory.create_batch(n)
        AuditEvent.objects.bulk_create(
            [AuditEvent(action="membership.added", actor=a, school=school, summary=f"By {a.email}") for a in actors]
        )

    add_rows(10)
    with CaptureQueriesContext(connection) as at_10:
        assert browser.get(audit_url(school)).status_code == 200
    add_rows(90)
    with django_assert_num_queries(len(at_10)):
        response = browser.get(audit_url(school))
    assert response.status_code == 200
    assert response.content.decode().count("By person") == 50  # one page


def test_the_audit_log_shows_a_members_sign_ins_only_while_they_belong_to_the_school(
    school, other_school, head, client_for
):
    with time_machine.travel(datetime.datetime(2026, 2, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        teacher = make_member(school, Role.TEACHER)
    membership = Membership.objects.get(user=teacher, school=school)
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        audit.record(action="auth.signed_in", actor=teacher, summary="Signed in while at Oakfield")
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        services.mark_leaver(membership=membership, leaving_date=datetime.date(2026, 3, 2), by=head)
    MembershipFactory(user=teacher, school=other_school, roles=[Role.TEACHER])
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        audit.record(action="auth.signed_in", actor=teacher, summary="Signed in at Elm Tree")

    page = client_for(head).get(audit_url(school)).content.decode()

    assert "Signed in while at Oakfield" in page
    assert "Signed in at Elm Tree" not in page


def test_the_audit_log_does_not_show_sign_ins_from_before_someone_joined(school, other_school, head, client_for):
    newcomer = make_member(other_school, Role.TEACHER)
    with time_machine.travel(datetime.datetime(2020, 1, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        audit.record(action="auth.signed_in", actor=newcomer, summary="Signed in at Elm Tree years ago")
    MembershipFactory(user=newcomer, school=school, roles=[Role.TEACHER])
    audit.record(action="auth.signed_in", actor=newcomer, summary="Signed in after joining Oakfield")

    page = client_for(head).get(audit_url(school)).content.decode()

    assert "Signed in after joining Oakfield" in page
    assert "Signed in at Elm Tree years ago" not in page
