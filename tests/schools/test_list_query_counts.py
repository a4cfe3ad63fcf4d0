"""A list page runs as many queries for 100 rows as for 10."""

import itertools

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.roles import Role
from schools.models import Guardianship, Membership, MembershipRole, Pupil
from tests.factories import SchoolClassFactory, year_group

_numbers = itertools.count()


def queries_for(browser, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(path)
    assert response.status_code == 200
    return len(captured)


def assert_same_queries_at_10_and_100_rows(browser, path, add_rows, django_assert_num_queries):
    browser.get(path)  # the first request of a session writes it; count the ones after
    add_rows(10)
    at_10 = queries_for(browser, path)
    add_rows(90)
    with django_assert_num_queries(at_10):
        assert browser.get(path).status_code == 200


def _people(n):
    numbers = [next(_numbers) for _ in range(n)]
    return User.objects.bulk_create(
        [User(email=f"bulk{i}@example.org", first_name=f"First{i}", last_name=f"Last{i}") for i in numbers]
    )


def _members(school, users, roles, status=Membership.Status.ACTIVE):
    memberships = Membership.objects.bulk_create(
        [Membership(user=u, school=school, status=status, job_title="Teaching assistant") for u in users]
    )
    MembershipRole.objects.bulk_create([MembershipRole(membership=m, role=r) for m in memberships for r in roles])
    return memberships


def _pupils(school, n):
    classes = [SchoolClassFactory(school=school, year_group=year_group(school, code)) for code in ("R", "3", "6")]
    return Pupil.objects.bulk_create(
        [
            Pupil(
                school=school,
                first_name=f"Child{i}",
                last_name=f"Pupil{i}",
                school_class=classes[i % 3],
                year_group=classes[i % 3].year_group,
            )
            for i in (next(_numbers) for _ in range(n))
        ]
    )


def test_staff_list_queries_do_not_grow_with_its_rows(school, head, client_for, django_assert_num_queries):
    def add_rows(n):
        half = n // 2
        users = _people(n)
        _members(school, users[:half], [Role.TEACHER, Role.ESAFETY_LEAD])
        _members(school, users[half:], [Role.SUPPORT_STAFF], status=Membership.Status.INVITED)

    assert_same_queries_at_10_and_100_rows(
        client_for(head), f"/s/{school.slug}/staff/", add_rows, django_assert_num_queries
    )


def test_parents_list_queries_do_not_grow_with_its_rows(school, office, client_for, django_assert_num_queries):
    def add_rows(n):
        parents = _people(n)
        _members(school, parents, [Role.PARENT])
        children = _pupils(school, n)
        Guardianship.objects.bulk_create(
            [Guardianship(pupil=c, carer=p, relationship="mother") for p, c in zip(parents, children, strict=True)]
            + [Guardianship(pupil=children[0], carer=p, relationship="carer") for p in parents[1:]]
        )

    assert_same_queries_at_10_and_100_rows(
        client_for(office), f"/s/{school.slug}/parents/", add_rows, django_assert_num_queries
    )


def test_pupils_list_queries_do_not_grow_with_its_rows(school, office, client_for, django_assert_num_queries):
    assert_same_queries_at_10_and_100_rows(
        client_for(office), f"/s/{school.slug}/pupils/", lambda n: _pupils(school, n), django_assert_num_queries
    )


def test_a_teachers_pupils_list_queries_do_not_grow_with_its_rows(
    school, teacher, client_for, django_assert_num_queries
):
    membership = teacher.memberships.get(school=school)

    def add_rows(n):
        for pupil in _pupils(school, n)[:3]:  # teach the three new classes
            pupil.school_class.teachers.add(membership)

    assert_same_queries_at_10_and_100_rows(
        client_for(teacher), f"/s/{school.slug}/pupils/", add_rows, django_assert_num_queries
    )


def test_one_class_of_pupils_queries_do_not_grow_with_its_rows(school, teacher, client_for, django_assert_num_queries):
    school_class = SchoolClassFactory(school=school)
    school_class.teachers.add(teacher.memberships.get(school=school))

    def add_rows(n):
        Pupil.objects.filter(pk__in=[p.pk for p in _pupils(school, n)]).update(school_class=school_class)

    assert_same_queries_at_10_and_100_rows(
        client_for(teacher), f"/s/{school.slug}/pupils/?class={school_class.pk}", add_rows, django_assert_num_queries
    )
