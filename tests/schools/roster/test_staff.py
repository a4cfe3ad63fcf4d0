"""Staff from the MIS staff file: roles from the job title or role column, never a
leadership or office role; leavers' logins end; leaders, governors and volunteers
are never ended by a file."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from core.roles import Role
from schools.models import Membership, StaffType
from tests.conftest import make_member
from tests.factories import GuardianshipFactory

from .exports import EXPORTERS, arbor_staff, autumn_staff, sims_staff
from .helpers import import_file, snapshot


def membership(user, school):
    return Membership.objects.get(user=user, school=school)


def person(user_or_email, job_title="Class Teacher", **extra):
    email = getattr(user_or_email, "email", user_or_email)
    first = getattr(user_or_email, "first_name", "Alex")
    last = getattr(user_or_email, "last_name", "Reed")
    return {"first_name": first, "last_name": last, "email": email, "job_title": job_title, **extra}


@pytest.mark.parametrize("system", ["sims", "arbor"])
def test_new_staff_are_added_with_the_role_their_job_title_suggests(school, office, system):
    plan = import_file(school, "staff", EXPORTERS[system]["staff"](autumn_staff()), by=office)

    assert plan.counts == {"added": 3, "updated": 0, "unchanged": 0, "left": 0, "skipped": 0}
    added = {
        m.user.email: (
            m.user.full_name,
            m.user.is_active,
            m.status,
            m.role_codes,
            m.job_title,
            m.staff_type,
            m.start_date,
        )
        for m in Membership.objects.filter(school=school, user__email__endswith="@oakfield.example.org")
    }
    assert added == {
        "p.shah@oakfield.example.org": ("Priya Shah", False, "invited", ["teacher"], "Year 3 Teacher", StaffType.TEACHING, datetime.date(2021, 9, 1)),
        "t.evans@oakfield.example.org": ("Tom Evans", False, "invited", ["support_staff"], "Teaching Assistant", StaffType.SUPPORT, datetime.date(2022, 1, 4)),
        "l.nowak@oakfield.example.org": ("Łukasz Nowak", False, "invited", ["ict_manager"], "Network Technician", StaffType.SUPPORT, datetime.date(2020, 4, 20)),
    }  # fmt: skip


def test_a_role_column_gives_the_role_and_a_leadership_or_office_role_in_it_is_refused(school, office):
    staff = [
        person("a.reed@oakfield.example.org", "Learning Mentor", role="Teacher"),
        person("g.hill@oakfield.example.org", "Staff Governor", role="Governor"),
        person("h.marsh@oakfield.example.org", "Headteacher", role="Headteacher"),
        person("d.rao@oakfield.example.org", "Office Manager", role="Office"),
        person("b.king@oakfield.example.org", "Business Manager", role="School business manager"),
        person("s.lamb@oakfield.example.org", "Deputy Head", role="Deputy headteacher"),
    ]

    plan = import_file(school, "staff", arbor_staff(staff), by=office)

    assert [(p.line, "reaches sensitive data" in p.message) for p in plan.problems] == [
        (4, True),
        (5, True),
        (6, True),
        (7, True),
    ]
    assert sorted(
        Membership.objects.filter(school=school, user__email__endswith="@oakfield.example.org").values_list(
            "user__email", "roles__role"
        )
    ) == [("a.reed@oakfield.example.org", "teacher"), ("g.hill@oakfield.example.org", "governor")]
    assert not User.objects.filter(email__in=["h.marsh@oakfield.example.org", "d.rao@oakfield.example.org"]).exists()


@pytest.mark.parametrize("system", ["sims", "arbor"])
def test_importing_the_same_staff_file_again_changes_nothing(school, office, head, system):
    export = EXPORTERS[system]["staff"](
        [*autumn_staff(), person(head, "Headteacher"), person(office, "Office Manager")]
    )
    import_file(school, "staff", export, by=office)
    before = snapshot()

    plan = import_file(school, "staff", export, by=office)

    assert plan.counts["added"] == plan.counts["updated"] == plan.counts["left"] == 0
    assert plan.counts["unchanged"] == 5
    assert snapshot() == before


def test_staff_not_in_the_file_leave_today_and_their_login_ends(client_for, school, office, teacher, support_staff):
    plan = import_file(school, "staff", sims_staff([person(support_staff, "Teaching Assistant")]), by=office)

    assert [d.obj.user for d in plan.leavers] == [teacher]
    left = membership(teacher, school)
    assert (left.status, left.leaving_date) == (Membership.Status.LEFT, timezone.localdate())
    teacher.refresh_from_db()
    assert not teacher.is_active
    assert client_for(teacher).get(f"/s/{school.slug}/").status_code == 302
    assert membership(support_staff, school).status == Membership.Status.ACTIVE


def test_leaders_and_the_office_not_in_the_file_are_kept(school, office, head, deputy):
    teaching_head = make_member(school, Role.HEADTEACHER, Role.TEACHER)

    plan = import_file(school, "staff", sims_staff(autumn_staff()), by=office)

    assert plan.leavers == []
    assert [d.obj.user for d in plan.kept] == [teaching_head]
    for leader in (office, head, deputy, teaching_head):
        kept = membership(leader, school)
        assert kept.status == Membership.Status.ACTIVE
        leader.refresh_from_db()
        assert leader.is_active
    assert membership(teaching_head, school).role_codes == [Role.HEADTEACHER, Role.TEACHER]


def test_governors_volunteers_and_contractors_are_never_missing_from_a_staff_file(school, office, governor):
    volunteer = make_member(school, Role.VOLUNTEER)
    contractor = make_member(school, Role.CONTRACTOR)
    chair = make_member(school, Role.CHAIR_OF_GOVERNORS)

    plan = import_file(school, "staff", sims_staff(autumn_staff()), by=office)

    assert plan.leavers == [] and plan.kept == []
    for user in (governor, volunteer, contractor, chair):
        assert membership(user, school).status == Membership.Status.ACTIVE


def test_staff_are_matched_by_email_never_by_name(school, office, teacher):
    namesake = person("someone.else@example.org")
    namesake.update(first_name=teacher.first_name, last_name=teacher.last_name)
    renamed = person(teacher.email.upper(), "Year 5 Teacher", first_name="Renamed", last_name="Person")

    plan = import_file(school, "staff", sims_staff([renamed, namesake]), by=office)

    assert [e.values["email"] for e in plan.adds] == ["someone.else@example.org"]
    assert [(e.values["email"], [(c.label, c.new) for c in e.changes]) for e in plan.updates] == [
        (teacher.email, [("Job title", "Year 5 Teacher")])
    ]
    assert plan.leavers == []
    assert User.objects.filter(first_name=teacher.first_name, last_name=teacher.last_name).count() == 2
    assert membership(teacher, school).job_title == "Year 5 Teacher"


def test_a_parent_here_who_joins_the_staff_keeps_one_membership_with_both_roles(school, office, parent):
    plan = import_file(school, "staff", sims_staff([person(parent, "Midday Supervisor")]), by=office)

    assert len(plan.adds) == 1
    here = membership(parent, school)
    assert here.role_codes == [Role.PARENT, Role.SUPPORT_STAFF]
    assert (here.job_title, here.staff_type, here.status) == ("Midday Supervisor", StaffType.SUPPORT, "active")
    assert Membership.objects.filter(user=parent).count() == 1


def test_a_member_of_staff_who_is_also_a_parent_and_leaves_the_staff_stays_a_parent(
    client_for, school, office, teacher, pupil
):
    here = membership(teacher, school)
    here.roles.create(role=Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=teacher)

    plan = import_file(school, "staff", sims_staff(autumn_staff()), by=office)

    assert [(d.obj.user, d.note) for d in plan.leavers] == [(teacher, "keeps their other roles: parent or carer")]
    here = membership(teacher, school)
    assert (here.status, here.role_codes) == (Membership.Status.ACTIVE, [Role.PARENT])
    teacher.refresh_from_db()
    assert teacher.is_active
    assert client_for(teacher).get(f"/s/{school.slug}/pupils/").status_code == 404
    assert "Amelia" in client_for(teacher).get("/family/").content.decode()


def test_a_teacher_who_left_and_is_back_in_a_later_file_rejoins_on_the_same_membership(school, office, teacher):
    import_file(school, "staff", sims_staff([]), by=office)
    assert membership(teacher, school).status == Membership.Status.LEFT

    plan = import_file(school, "staff", sims_staff([person(teacher, "Supply Teacher")]), by=office)

    assert len(plan.adds) == 1
    back = membership(teacher, school)
    assert (back.status, back.ended_at, back.leaving_date) == (Membership.Status.INVITED, None, None)
    assert (back.role_codes, back.job_title) == ([Role.TEACHER], "Supply Teacher")
    assert Membership.objects.filter(user=teacher).count() == 1


def test_a_blank_role_cell_falls_back_to_the_job_title(school, office):
    staff = [
        person("a.reed@oakfield.example.org", "Year 6 Teacher", role=""),
        person("b.cole@oakfield.example.org", "Learning Mentor", role="Support staff"),
    ]

    import_file(school, "staff", arbor_staff(staff), by=office)

    assert sorted(
        Membership.objects.filter(school=school, user__email__endswith="@oakfield.example.org").values_list(
            "user__email", "roles__role"
        )
    ) == [("a.reed@oakfield.example.org", "teacher"), ("b.cole@oakfield.example.org", "support_staff")]


def test_a_volunteer_who_joins_the_staff_gains_the_staff_role_and_later_leaves_like_staff(school, office):
    volunteer = make_member(school, Role.VOLUNTEER)

    plan = import_file(school, "staff", sims_staff([person(volunteer, "Teaching Assistant")]), by=office)

    assert [e.values["email"] for e in plan.adds] == [volunteer.email]
    here = membership(volunteer, school)
    assert here.role_codes == [Role.SUPPORT_STAFF, Role.VOLUNTEER]
    assert (here.job_title, here.staff_type) == ("Teaching Assistant", StaffType.SUPPORT)
    again = import_file(school, "staff", sims_staff([person(volunteer, "Teaching Assistant")]), by=office)
    assert again.counts["added"] == again.counts["updated"] == 0

    gone = import_file(school, "staff", sims_staff([]), by=office)

    assert [d.obj.user for d in gone.leavers] == [volunteer]


def test_a_governor_listed_in_the_staff_file_as_a_governor_stays_as_they_are(school, office, governor):
    export = arbor_staff([person(governor, "Parent Governor", role="Governor")])
    import_file(school, "staff", export, by=office)
    before = snapshot()

    plan = import_file(school, "staff", export, by=office)

    assert plan.counts["added"] == plan.counts["updated"] == plan.counts["left"] == 0
    assert membership(governor, school).role_codes == [Role.GOVERNOR]
    assert snapshot() == before


def test_a_teacher_who_is_also_a_governor_and_leaves_the_staff_stays_a_governor(school, office, teacher):
    here = membership(teacher, school)
    here.roles.create(role=Role.GOVERNOR)

    plan = import_file(school, "staff", sims_staff(autumn_staff()), by=office)

    assert [(d.obj.user, d.note) for d in plan.leavers] == [(teacher, "keeps their other roles: governor")]
    here = membership(teacher, school)
    assert (here.status, here.role_codes) == (Membership.Status.ACTIVE, [Role.GOVERNOR])
    teacher.refresh_from_db()
    assert teacher.is_active
