"""The people lists' name search (`?q=`): the picker's own match, so a long list is
searched rather than scrolled, and a teacher still finds only their own classes."""

import pytest
from django.urls import reverse

from core.roles import Role
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db


def listed(client, name, school, **params):
    response = client.get(reverse(name, args=[school.slug]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_pupil_list_finds_pupils_by_any_part_of_their_name(client_for, head, school, school_class, pupil):
    PupilFactory(school=school, school_class=school_class, first_name="Oliver", last_name="Brown")
    client = client_for(head)
    html = listed(client, "schools:pupils", school, q="khan")
    assert "Khan, Amelia" in html and "Brown, Oliver" not in html
    assert 'value="khan"' in html
    both = listed(client, "schools:pupils", school, q="amel kha")
    assert "Khan, Amelia" in both
    assert "Khan, Amelia" not in listed(client, "schools:pupils", school, q="amelia brown")


def test_a_teachers_search_finds_only_their_own_classes(client_for, school, school_class, pupil):
    teacher = make_member(school, Role.TEACHER)
    other_class = SchoolClassFactory(school=school, name="Elm")
    other_class.teachers.add(teacher.memberships.get(school=school))
    PupilFactory(school=school, school_class=other_class, first_name="Zara", last_name="Khan")
    html = listed(client_for(teacher), "schools:pupils", school, q="khan")
    assert "Khan, Zara" in html
    assert "Khan, Amelia" not in html


def test_the_staff_and_parent_lists_search_by_name(client_for, head, school, pupil):
    make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Shah")
    make_member(school, Role.TEACHER, user__first_name="Tom", user__last_name="Reed")
    carer = make_member(school, Role.PARENT, user__first_name="Declan", user__last_name="Murphy")
    GuardianshipFactory(pupil=pupil, carer=carer)
    client = client_for(head)
    staff = listed(client, "schools:staff", school, q="shah")
    assert "Shah, Priya" in staff and "Reed, Tom" not in staff
    assert "Murphy, Declan" in listed(client, "schools:parents", school, q="murph")
    assert "Murphy, Declan" not in listed(client, "schools:parents", school, q="shah")


def test_the_next_page_keeps_the_search(client_for, head, school, school_class):
    for i in range(60):
        PupilFactory(school=school, school_class=school_class, last_name=f"Smith{i:02}")
    html = listed(client_for(head), "schools:pupils", school, q="smith")
    assert "q=smith&amp;page=2" in html
