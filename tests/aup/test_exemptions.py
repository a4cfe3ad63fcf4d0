"""Exemptions: a member of staff asks the headteacher, who approves or refuses."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from aup.models import Exemption, Policy
from core.models import AuditEvent
from core.roles import Role
from tests.conftest import make_member


@pytest.fixture
def policy(school):
    return Policy.objects.create(school=school, title="Mobile phones")


def _url(school, name, **kwargs):
    return reverse(f"aup:{name}", kwargs={"school_slug": school.slug, **kwargs})


def _ask(client, school, policy, purpose="Use my own phone to photograph pupils' work for a display."):
    return client.post(_url(school, "exemption_new"), {"policy": policy.pk, "purpose": purpose})


@pytest.fixture
def asked(school, teacher, policy, client_for):
    _ask(client_for(teacher), school, policy)
    return Exemption.objects.get()


def _decide(client, school, exemption, **data):
    return client.post(_url(school, "exemption_decide", exemption_id=exemption.pk), data)


def _in_a_month():
    return timezone.localdate() + datetime.timedelta(days=30)


def test_a_teacher_asks_for_an_exemption_and_sees_it_waiting(school, teacher, policy, client_for):
    client = client_for(teacher)
    response = _ask(client, school, policy)
    exemption = Exemption.objects.get()
    assert response.status_code == 302
    assert exemption.requested_by == teacher
    assert exemption.status == Exemption.Status.REQUESTED
    assert AuditEvent.objects.filter(action="exemption.requested", actor=teacher, object_id=str(exemption.pk)).exists()
    page = client.get(_url(school, "exemptions_mine")).content.decode()
    assert "Waiting for the headteacher" in page
    assert "photograph pupils" in page


def test_a_request_needs_a_purpose(school, teacher, policy, client_for):
    response = _ask(client_for(teacher), school, policy, purpose="")
    assert response.status_code == 400
    assert "purpose" in response.context["form"].errors
    assert not Exemption.objects.exists()


def test_the_head_sees_the_queue(school, head, asked, client_for):
    response = client_for(head).get(_url(school, "exemptions"))
    assert response.status_code == 200
    assert asked.requested_by.full_name in response.content.decode()


def test_a_teacher_cannot_see_the_queue(school, teacher, asked, client_for):
    assert client_for(teacher).get(_url(school, "exemptions")).status_code == 404


def test_the_head_approves_with_an_end_date_and_a_reason(school, head, teacher, asked, client_for):
    ends = _in_a_month()
    response = _decide(
        client_for(head),
        school,
        asked,
        decision="approve",
        ends_on=ends.strftime("%d/%m/%Y"),
        reason="The camera is being repaired.",
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == Exemption.Status.APPROVED
    assert asked.decided_by == head
    assert asked.ends_on == ends
    assert asked.reason == "The camera is being repaired."
    assert AuditEvent.objects.filter(action="exemption.approved", actor=head).exists()
    page = client_for(teacher).get(_url(school, "exemption", exemption_id=asked.pk)).content.decode()
    assert "Approved" in page
    assert "The camera is being repaired." in page
    assert ends.strftime("%d/%m/%Y") in page


def test_approval_needs_an_end_date(school, head, asked, client_for):
    response = _decide(client_for(head), school, asked, decision="approve", reason="Fine.")
    assert response.status_code == 400
    assert "ends_on" in response.context["form"].errors
    asked.refresh_from_db()
    assert asked.status == Exemption.Status.REQUESTED
    assert not AuditEvent.objects.filter(action="exemption.approved").exists()


def test_the_head_refuses_with_a_reason(school, head, teacher, asked, client_for):
    response = _decide(client_for(head), school, asked, decision="refuse", reason="Use the school's iPad instead.")
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == Exemption.Status.REFUSED
    assert asked.ends_on is None
    event = AuditEvent.objects.get(action="exemption.refused", actor=head)
    assert event.data["reason"] == "Use the school's iPad instead."
    page = client_for(teacher).get(_url(school, "exemptions_mine")).content.decode()
    assert "Refused" in page


def test_a_refusal_needs_a_reason(school, head, asked, client_for):
    response = _decide(client_for(head), school, asked, decision="refuse", reason="")
    assert response.status_code == 400
    asked.refresh_from_db()
    assert asked.status == Exemption.Status.REQUESTED


def test_a_head_cannot_decide_their_own_request(school, head, policy, client_for):
    client = client_for(head)
    _ask(client, school, policy)
    exemption = Exemption.objects.get()
    page = client.get(_url(school, "exemption", exemption_id=exemption.pk)).content.decode()
    assert "Record my decision" not in page
    response = _decide(
        client, school, exemption, decision="approve", ends_on=_in_a_month().strftime("%d/%m/%Y"), reason="Mine."
    )
    assert response.status_code == 400
    assert "cannot decide your own request" in response.content.decode()
    exemption.refresh_from_db()
    assert exemption.status == Exemption.Status.REQUESTED


def test_a_decision_is_final(school, head, deputy, asked, client_for):
    _decide(client_for(head), school, asked, decision="refuse", reason="No.")
    response = _decide(
        client_for(deputy), school, asked, decision="approve", ends_on=_in_a_month().strftime("%d/%m/%Y"), reason="Yes."
    )
    assert response.status_code == 400
    assert "already been decided" in response.content.decode()
    asked.refresh_from_db()
    assert asked.status == Exemption.Status.REFUSED
    assert asked.decided_by == head
    assert AuditEvent.objects.filter(action__startswith="exemption.").count() == 2


def test_a_request_is_visible_to_the_requester_and_the_head_only(school, head, asked, client_for):
    url = _url(school, "exemption", exemption_id=asked.pk)
    assert client_for(head).get(url).status_code == 200
    assert client_for(asked.requested_by).get(url).status_code == 200
    another_teacher = make_member(school, Role.TEACHER)
    client = client_for(another_teacher)
    assert client.get(url).status_code == 404
    assert asked.purpose not in client.get(_url(school, "exemptions_mine")).content.decode()


def test_a_teacher_cannot_decide(school, asked, client_for):
    another_teacher = make_member(school, Role.TEACHER)
    response = _decide(client_for(another_teacher), school, asked, decision="refuse", reason="No.")
    assert response.status_code == 404
    asked.refresh_from_db()
    assert asked.status == Exemption.Status.REQUESTED


def test_a_head_of_another_school_cannot_see_or_decide(school, other_school, outsider, asked, client_for):
    client = client_for(outsider)
    assert client.get(_url(school, "exemption", exemption_id=asked.pk)).status_code == 404
    assert client.get(_url(other_school, "exemption", exemption_id=asked.pk)).status_code == 404
    response = _decide(client, other_school, asked, decision="refuse", reason="No.")
    assert response.status_code == 404
    asked.refresh_from_db()
    assert asked.status == Exemption.Status.REQUESTED


def test_a_parent_cannot_ask_for_an_exemption(school, parent, policy, client_for):
    assert _ask(client_for(parent), school, policy).status_code == 404
    assert not Exemption.objects.exists()


def test_the_policy_must_be_the_schools_own(school, other_school, teacher, client_for):
    their_policy = Policy.objects.create(school=other_school, title="Social media")
    response = _ask(client_for(teacher), school, their_policy)
    assert response.status_code == 400
    assert not Exemption.objects.exists()


def test_the_queue_and_my_requests_take_the_same_queries_however_many_requests(
    school, head, teacher, policy, client_for
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(user, name):
        client = client_for(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(school, name)).status_code == 200
        return len(queries)

    _ask(client_for(teacher), school, policy)
    one = count(head, "exemptions"), count(teacher, "exemptions_mine")
    for _ in range(4):
        _ask(client_for(teacher), school, policy)
    assert (count(head, "exemptions"), count(teacher, "exemptions_mine")) == one


def test_the_decision_is_on_the_persons_record(school, head, teacher, asked, client_for):
    _decide(
        client_for(head),
        school,
        asked,
        decision="approve",
        ends_on=_in_a_month().strftime("%d/%m/%Y"),
        reason="The camera is being repaired.",
    )
    membership = teacher.memberships.get(school=school)
    record = client_for(head).get(
        reverse("agreements:person", kwargs={"school_slug": school.slug, "membership_id": membership.pk})
    )
    page = record.content.decode()
    assert "ICT exemptions" in page and "photograph pupils" in page
    assert "The camera is being repaired." in page and f"by {head.full_name}" in page
    assert _url(school, "exemption", exemption_id=asked.pk) in page
    own = client_for(teacher).get(reverse("agreements:mine", kwargs={"school_slug": school.slug})).content.decode()
    assert "photograph pupils" in own and "Approved" in own


def test_a_business_manager_sees_exemptions_on_the_record_without_links_they_cannot_open(
    school, teacher, asked, client_for
):
    manager = make_member(school, Role.BUSINESS_MANAGER)
    membership = teacher.memberships.get(school=school)
    page = client_for(manager).get(
        reverse("agreements:person", kwargs={"school_slug": school.slug, "membership_id": membership.pk})
    )
    assert "photograph pupils" in page.content.decode()
    assert _url(school, "exemption", exemption_id=asked.pk) not in page.content.decode()


def test_another_persons_exemptions_are_not_on_my_page(school, teacher, support_staff, asked, client_for):
    page = client_for(support_staff).get(reverse("agreements:mine", kwargs={"school_slug": school.slug}))
    assert "photograph pupils" not in page.content.decode()
