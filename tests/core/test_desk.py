"""Each person's desk (core.desk, the home page) and the counts in the menu."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consent.models import PhonePermission, PlannedPost
from core.roles import Role
from devices.models import Device, Loan, LoanItem
from incidents import services
from incidents.models import Incident, Status
from schools.models import Membership, Pupil
from tests.conftest import make_member
from tests.factories import PupilFactory
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db


def home(client):
    return client.get(reverse("core:home")).content.decode()


def _post(school, by):
    return PlannedPost.objects.create(
        school=school, purpose_code="website", purpose_label="The school website", caption="Sports day", planned_by=by
    )


def _phone_request(school, pupil, carer):
    return PhonePermission.objects.create(
        school=school,
        pupil=pupil,
        carer=carer,
        reason="She walks home alone.",
        signer_name="Parent",
        signed_at=timezone.now(),
        submission_key=f"phone-{pupil.pk}",
    )


def test_the_heads_desk_shows_an_incident_a_post_and_a_phone_request(client_for, head, teacher, parent, pupil, school):
    report(school, teacher)
    _post(school, teacher)
    _phone_request(school, pupil, parent)
    html = home(client_for(head))
    assert "1 new e-safety incident to triage" in html
    assert "1 planned post waits for your approval" in html
    assert "1 mobile phone request waits for your decision" in html
    assert reverse("consent:post_queue", args=[school.slug]) in html
    assert "Nothing waits for you" not in html


def test_the_menu_counts_what_waits_in_each_area(client_for, head, teacher, school):
    report(school, teacher)
    report(school, teacher)
    html = client_for(head).get(reverse("schools:home", args=[school.slug])).content.decode()
    assert 'Incidents<span class="nav-count"><span class="visually-hidden">, </span>2<span' in html


def test_an_empty_desk_says_nothing_waits(client_for, head):
    html = home(client_for(head))
    assert "Nothing waits for you." in html


def test_another_schools_incident_never_appears(client_for, outsider, school, teacher):
    report(school, teacher)
    html = home(client_for(outsider))
    assert "incident" not in html.split('id="desk-heading"')[1].split("</section>")[0]


def test_a_teacher_sees_no_incidents_on_their_desk(client_for, teacher, school, head):
    report(school, head)
    html = home(client_for(teacher))
    assert "to triage" not in html


def test_restricted_safeguarding_incidents_are_for_the_dsl_and_head_only(client_for, dsl, head, school, teacher):
    incident = report(school, teacher)
    services.triage(incident=incident, by=dsl, severity="high", safeguarding=True)
    assert "1 open safeguarding incident" in home(client_for(dsl))
    assert "1 open safeguarding incident" in home(client_for(head))
    deputy = make_member(school, Role.DEPUTY)
    services.change_status(incident=Incident.objects.get(pk=incident.pk), by=dsl, status=Status.AWAITING_REVIEW)
    assert "awaits your review" in home(client_for(head))
    assert "awaits your review" not in home(client_for(deputy))  # a deputy head may not see it


def test_the_office_desk_shows_a_device_overdue(client_for, office, teacher, school):
    device = Device.objects.create(school=school, device_type="laptop", make="Dell", serial_number="ABC1")
    loan = Loan.objects.create(
        school=school,
        borrower=Membership.objects.get(user=teacher, school=school),
        due_on=timezone.localdate() - datetime.timedelta(days=3),
        lent_by=office,
    )
    LoanItem.objects.create(loan=loan, device=device)
    assert "1 device is overdue" in home(client_for(office))
    teacher_html = home(client_for(teacher))
    assert "You hold: Laptop Dell (serial ABC1)" in teacher_html


def test_a_teacher_sees_the_decision_on_their_post(client_for, teacher, head, school):
    post = _post(school, teacher)
    assert "Your post for The school website waits for the head" in home(client_for(teacher))
    PlannedPost.objects.filter(pk=post.pk).update(status="approved", decided_by=head, decided_at=timezone.now())
    assert "Publish your approved post for The school website" in home(client_for(teacher))


def _desk_queries(client):
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("core:home"))
    return len(queries)


def _pupils(school, year_group, n):
    Pupil.objects.bulk_create(
        Pupil(school=school, first_name=f"P{i}", last_name="Test", year_group=year_group) for i in range(n)
    )


@pytest.mark.parametrize("who", ["head", "dsl", "office", "teacher", "parent"])
def test_each_desk_takes_the_same_queries_for_200_and_2000_pupils(client_for, request, school, pupil, teacher, who):
    user = request.getfixturevalue(who)
    report(school, teacher)
    _post(school, teacher)
    client = client_for(user)
    _pupils(school, pupil.year_group, 199)
    client.get(reverse("core:home"))
    at_200 = _desk_queries(client)
    _pupils(school, pupil.year_group, 1800)
    assert Pupil.objects.filter(school=school).count() == 2000
    assert _desk_queries(client) == at_200


def test_a_parent_sees_what_to_sign_for_each_child_by_name(client_for, parent, pupil):
    html = home(client_for(parent))
    assert "Nothing waits for you." in html or f"Sign for {pupil.first_name}" in html


def test_the_menu_count_is_not_computed_on_pages_without_a_menu(client_for, parent):
    # /family/ has no school menu: the lazy desk_counts is never read, so no provider runs.
    client = client_for(parent)
    client.get(reverse("family:home"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("family:home"))
    assert not any("incidents_incident" in q["sql"] for q in queries.captured_queries)


_ = PupilFactory


def test_acting_on_an_item_removes_it_from_the_desk_and_the_menu(client_for, head, teacher, parent, pupil, school):
    post = _post(school, teacher)
    phone = _phone_request(school, pupil, parent)
    client = client_for(head)
    school_home = reverse("schools:home", args=[school.slug])
    assert 'Consent<span class="nav-count">' in client.get(school_home).content.decode()
    PlannedPost.objects.filter(pk=post.pk).update(status="approved", decided_by=head, decided_at=timezone.now())
    PhonePermission.objects.filter(pk=phone.pk).update(status="refused", decided_by=head, decided_at=timezone.now())
    html = home(client)
    assert "waits for your approval" not in html and "waits for your decision" not in html
    assert 'Consent<span class="nav-count">' not in client.get(school_home).content.decode()


def test_a_parent_is_told_the_decision_on_their_phone_request(client_for, parent, pupil, school, head):
    phone = _phone_request(school, pupil, parent)
    PhonePermission.objects.filter(pk=phone.pk).update(status="approved", decided_by=head, decided_at=timezone.now())
    assert f"The head approved the mobile phone request for {pupil.first_name}" in home(client_for(parent))


def test_the_head_sees_how_many_staff_have_not_signed(client_for, head, teacher, school):
    from tests.agreements.signing_helpers import publish_staff_form

    form = publish_staff_form(school, head, title="ICT")
    html = home(client_for(head))
    assert f"2 members of staff have not signed {form.full_title}" in html.replace("&#x27;", "'")


def test_a_parents_home_links_to_their_childrens_page(client_for, parent, head):
    assert reverse("family:home") in home(client_for(parent))
    assert reverse("family:home") not in home(client_for(head))


def test_a_class_teacher_sees_how_many_of_their_class_have_not_signed(client_for, school, school_class, pupil, head):
    from aup.models import Audience
    from tests.agreements.test_class_sessions import publish_pupils_form

    form = publish_pupils_form(school, head, Audience.KS2)
    teacher = make_member(school, Role.TEACHER)
    school_class.teachers.add(teacher.memberships.get(school=school))
    other_teacher = make_member(school, Role.TEACHER)

    html = home(client_for(teacher))
    assert f"Oak: 1 pupil has not signed {form.full_title}" in html
    assert reverse("agreements:class_agreements", args=[school.slug, school_class.pk]) in html
    assert "not signed" not in home(client_for(other_teacher))


def test_the_home_page_of_one_schools_staff_carries_its_menu_and_counts(client_for, head, teacher, parent, school):
    report(school, teacher)
    html = home(client_for(head))
    assert f'aria-label="{school.name}"' in html
    assert 'Incidents<span class="nav-count">' in html
    assert 'aria-label="Your family"' in home(client_for(parent))
    assert f'aria-label="{school.name}"' not in home(client_for(parent))


def test_someone_with_two_schools_chooses_one_before_seeing_a_menu(client_for, head, school, sister_school):
    from tests.factories import MembershipFactory

    MembershipFactory(user=head, school=sister_school, roles=[Role.HEADTEACHER])
    html = home(client_for(head))
    assert f'aria-label="{school.name}"' not in html
