"""Who must sign a staff form, and who has not yet: joiners, leavers, types of staff,
new versions and the 1 September rollover."""

import datetime

import pytest
import time_machine

from agreements.compliance import staff_compliance
from agreements.drilldown import staff_rows
from agreements.selectors import forms_to_sign, staff_status
from core.roles import Role
from schools.models import Membership
from tests.conftest import make_member

from .signing_helpers import publish_new_version, publish_staff_form, sign_as

pytestmark = pytest.mark.django_db


def outstanding_users(form) -> set:
    """Asked both ways, the per-form status and the page rows must agree."""
    by_status = {m.user for m in staff_status(form).outstanding}
    by_rows = {row.membership.user for row in staff_rows(form) if not row.signed}
    assert by_status == by_rows
    return by_status


def test_staff_who_have_not_signed_are_outstanding_and_signers_are_not(school, head, teacher):
    form = publish_staff_form(school, head)
    assert {teacher, head} <= outstanding_users(form)
    sign_as(form, teacher)
    assert teacher not in outstanding_users(form)
    assert head in outstanding_users(form)
    assert (teacher.memberships.get(), form) not in forms_to_sign(teacher)


def test_a_joiner_is_outstanding_only_from_their_start_date(school, head):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC), tick=False):
        form = publish_staff_form(school, head)
        joiner = make_member(school, Role.TEACHER, start_date=datetime.date(2026, 12, 1))
        assert joiner not in outstanding_users(form)
        assert forms_to_sign(joiner) == []
    with time_machine.travel(datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC), tick=False):
        assert joiner in outstanding_users(form)
        assert [f for _, f in forms_to_sign(joiner)] == [form]


def test_a_leaver_is_not_outstanding(school, head):
    form = publish_staff_form(school, head)
    leaver = make_member(school, Role.TEACHER, status=Membership.Status.LEFT)
    invited = make_member(school, Role.TEACHER, status=Membership.Status.INVITED)
    outstanding = outstanding_users(form)
    assert leaver not in outstanding
    assert invited not in outstanding


def test_parents_are_not_asked_to_sign_a_staff_form(school, head, parent):
    form = publish_staff_form(school, head)
    assert parent not in outstanding_users(form)


def test_a_form_for_some_types_of_staff_is_outstanding_only_for_them(school, head):
    form = publish_staff_form(school, head, staff_types=["teaching"])
    teaching = make_member(school, Role.TEACHER, staff_type="teaching")
    support = make_member(school, Role.SUPPORT_STAFF, staff_type="support")
    outstanding = outstanding_users(form)
    assert teaching in outstanding
    assert support not in outstanding
    assert [f for _, f in forms_to_sign(support)] == []


def test_a_new_version_makes_people_who_signed_the_old_one_outstanding_again(school, head, teacher):
    form = publish_staff_form(school, head)
    sign_as(form, teacher)
    assert teacher not in outstanding_users(form)
    new_form = publish_new_version(form, head, statements=["I will keep my password private."])
    assert teacher in outstanding_users(new_form)
    assert [f for _, f in forms_to_sign(teacher)] == [new_form]


def test_a_form_signed_every_academic_year_is_due_again_from_1_september(school, head, teacher):
    with time_machine.travel(datetime.datetime(2026, 8, 31, 15, 0, tzinfo=datetime.UTC), tick=False):
        form = publish_staff_form(school, head, every_academic_year=True)
        sign_as(form, teacher)
        assert teacher not in outstanding_users(form)
    # 31 August 23:30 in London is still the old academic year.
    with time_machine.travel(datetime.datetime(2026, 8, 31, 22, 30, tzinfo=datetime.UTC), tick=False):
        assert teacher not in outstanding_users(form)
    with time_machine.travel(datetime.datetime(2026, 9, 1, 7, 0, tzinfo=datetime.UTC), tick=False):
        assert teacher in outstanding_users(form)
        assert [f for _, f in forms_to_sign(teacher)] == [form]
        sign_as(form, teacher)
        assert teacher not in outstanding_users(form)


def test_a_form_signed_once_stays_signed_after_1_september(school, head, teacher):
    with time_machine.travel(datetime.datetime(2026, 8, 31, 15, 0, tzinfo=datetime.UTC), tick=False):
        form = publish_staff_form(school, head)
        sign_as(form, teacher)
    with time_machine.travel(datetime.datetime(2026, 9, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        assert teacher not in outstanding_users(form)


def test_the_dashboard_counts_agree_with_the_people(school, head, teacher):
    form = publish_staff_form(school, head)
    make_member(school, Role.SUPPORT_STAFF, staff_type="support")
    sign_as(form, teacher)
    (result,) = staff_compliance(school)
    rows = staff_rows(form)
    assert result.overall.signed == sum(1 for r in rows if r.signed) == 1
    assert result.overall.outstanding == sum(1 for r in rows if not r.signed)
    assert sum(g.total for g in result.groups) == result.overall.total == len(rows)
