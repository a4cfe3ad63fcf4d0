"""The school community's services: adding and inviting people, roles, leavers."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation, User, hash_token
from core.models import AuditEvent
from core.roles import PRIVILEGED_ROLES, Role, capabilities_for
from schools import services
from schools.models import Guardianship, Membership
from tests.conftest import make_member, sign_in_with_mfa
from tests.factories import GuardianshipFactory, MembershipFactory, PupilFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
HEAD_CAPS = capabilities_for([Role.HEADTEACHER])
OFFICE_CAPS = capabilities_for([Role.OFFICE])


def add(school, by, *, email="sam.jones@example.org", roles=(Role.TEACHER,), by_capabilities=HEAD_CAPS, **kwargs):
    return services.add_person(
        school=school,
        email=email,
        first_name="Sam",
        last_name="Jones",
        roles=list(roles),
        by=by,
        by_capabilities=by_capabilities,
        **kwargs,
    )


def membership_of(user, school):
    return Membership.objects.get(user=user, school=school)


# --- add_person ------------------------------------------------------------------


def test_adding_a_new_email_creates_an_inactive_account_an_invited_membership_and_an_invitation(school, head):
    membership = add(school, head, email="Sam.Jones@Example.org", job_title="Year 3 teacher")

    user = membership.user
    assert user.email == "sam.jones@example.org"
    assert (user.first_name, user.last_name) == ("Sam", "Jones")
    assert not user.is_active
    assert not user.has_usable_password()
    assert membership.school == school
    assert membership.status == Membership.Status.INVITED
    assert membership.job_title == "Year 3 teacher"
    assert membership.role_codes == [Role.TEACHER]
    invitation = Invitation.objects.get()
    assert invitation.email == "sam.jones@example.org"
    assert invitation.target == membership
    assert invitation.invited_by == head
    assert invitation.accepted_at is None and invitation.revoked_at is None
    assert AuditEvent.objects.filter(action="membership.added", school=school, actor=head).count() == 1


def test_adding_someone_emails_one_invitation_with_a_working_link_after_commit(
    school, head, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        add(school, head)
        assert mailoutbox == [], "the email must wait until the transaction commits"

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["sam.jones@example.org"]
    assert school.name in message.subject
    token = re.search(r"http://testserver/invitations/([^/\s]+)/", message.body).group(1)
    invitation = Invitation.objects.get()
    assert hash_token(token) == invitation.token_hash
    assert invitation.email_sent_at is not None
    assert token not in str(list(AuditEvent.objects.values_list("summary", "data")))


def test_adding_without_an_invitation_sends_no_email(school, head, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership = add(school, head, send_invitation=False)
    assert mailoutbox == []
    assert not Invitation.objects.exists()
    assert membership.status == Membership.Status.INVITED  # a new person still has to join


def test_an_email_already_known_in_another_case_gets_a_membership_on_the_same_account(school, sister_school, head):
    existing = make_member(sister_school, Role.TEACHER, user__email="sam.jones@example.org")
    users_before = User.objects.count()

    membership = add(school, head, email="  SAM.Jones@EXAMPLE.org ", send_invitation=False)

    assert membership.user == existing
    assert User.objects.count() == users_before
    assert membership.status == Membership.Status.ACTIVE  # they can already sign in
    assert set(existing.memberships.values_list("school__slug", flat=True)) == {school.slug, sister_school.slug}


def test_inviting_someone_already_known_keeps_their_one_account(school, sister_school, head):
    existing = make_member(sister_school, Role.TEACHER, user__email="sam.jones@example.org")
    membership = add(school, head, email="Sam.Jones@example.org")
    assert membership.user == existing
    assert membership.status == Membership.Status.INVITED
    assert User.objects.filter(email__iexact="sam.jones@example.org").count() == 1
    existing.refresh_from_db()
    assert existing.is_active


def test_adding_someone_who_is_already_a_member_is_refused_on_the_email(school, head, teacher):
    with pytest.raises(ValidationError) as error:
        add(school, head, email=teacher.email.upper(), roles=[Role.SUPPORT_STAFF])
    assert "already a member of Oakfield Primary School" in error.value.message_dict["email"][0]
    assert membership_of(teacher, school).role_codes == [Role.TEACHER]
    assert not Invitation.objects.exists()


def test_someone_who_left_can_be_added_again(school, head, teacher):
    services.mark_leaver(membership=membership_of(teacher, school), leaving_date=timezone.localdate(), by=head)
    membership = add(school, head, email=teacher.email, roles=[Role.SUPPORT_STAFF])
    assert membership.pk == membership_of(teacher, school).pk
    assert membership.status == Membership.Status.INVITED
    assert membership.leaving_date is None and membership.ended_at is None
    assert membership.role_codes == [Role.SUPPORT_STAFF]


@pytest.mark.parametrize("role", sorted(PRIVILEGED_ROLES & {*Role} - {Role.TRUST_OFFICER}))
def test_office_cannot_give_a_privileged_role(role, school, office):
    with pytest.raises(ValidationError) as error:
        add(school, office, roles=[Role.TEACHER, role], by_capabilities=OFFICE_CAPS)
    assert "Only the headteacher or deputy" in error.value.message_dict["roles"][0]
    assert not User.objects.filter(email="sam.jones@example.org").exists()
    assert not Membership.objects.filter(user__email="sam.jones@example.org").exists()


def test_the_privileged_roles_include_the_dsl_and_the_leaders():
    assert {Role.HEADTEACHER, Role.DEPUTY, Role.DSL, Role.OFFICE} <= PRIVILEGED_ROLES
    assert Role.TEACHER not in PRIVILEGED_ROLES


def test_office_can_add_a_teacher(school, office):
    membership = add(school, office, roles=[Role.TEACHER, Role.SUPPORT_STAFF], by_capabilities=OFFICE_CAPS)
    assert membership.role_codes == [Role.SUPPORT_STAFF, Role.TEACHER]


@pytest.mark.parametrize("role", [Role.DSL, Role.HEADTEACHER, Role.DEPUTY, Role.OFFICE])
def test_head_can_give_a_privileged_role(role, school, head):
    membership = add(school, head, roles=[role])
    assert membership.role_codes == [role]


def test_adding_someone_with_no_role_is_refused(school, head):
    with pytest.raises(ValidationError) as error:
        add(school, head, roles=[])
    assert "roles" in error.value.message_dict


def test_a_parent_needs_children(school, head):
    with pytest.raises(ValidationError) as error:
        add(school, head, roles=[Role.PARENT])
    assert "children" in error.value.message_dict
    assert not User.objects.filter(email="sam.jones@example.org").exists()


def test_a_parent_cannot_be_linked_to_a_child_of_another_school(school, other_school, head):
    elsewhere = PupilFactory(school=other_school)
    with pytest.raises(ValidationError) as error:
        add(school, head, roles=[Role.PARENT], children=[services.ChildLink(pupil=elsewhere, relationship="mother")])
    assert error.value.message_dict["children"] == ["Choose children from this school."]
    assert not Guardianship.objects.exists()
    assert not User.objects.filter(email="sam.jones@example.org").exists()


def test_a_parent_is_linked_to_their_children_with_parental_responsibility_as_given(school, head, pupil):
    sibling = PupilFactory(school=school, first_name="Zain", last_name="Khan")
    membership = add(
        school,
        head,
        roles=[Role.PARENT],
        children=[
            services.ChildLink(pupil=pupil, relationship="father", parental_responsibility=False),
            services.ChildLink(pupil=sibling, relationship="father"),
        ],
    )
    links = {g.pupil: g for g in Guardianship.objects.filter(carer=membership.user)}
    assert set(links) == {pupil, sibling}
    assert links[pupil].relationship == "father"
    assert links[pupil].parental_responsibility is False
    assert links[sibling].parental_responsibility is True
    assert membership.role_codes == [Role.PARENT]


def test_a_carer_already_linked_to_a_child_has_the_link_updated_not_duplicated(school, sister_school, head, pupil):
    carer = make_member(sister_school, Role.TEACHER)
    GuardianshipFactory(pupil=pupil, carer=carer, relationship="carer", parental_responsibility=True)
    add(
        school,
        head,
        email=carer.email,
        roles=[Role.PARENT],
        children=[services.ChildLink(pupil=pupil, relationship="grandparent", parental_responsibility=False)],
    )
    link = Guardianship.objects.get(pupil=pupil, carer=carer)
    assert (link.relationship, link.parental_responsibility) == ("grandparent", False)


# --- change_roles ----------------------------------------------------------------


def test_changing_roles_records_an_audit_event_with_from_and_to(school, head, teacher):
    membership = membership_of(teacher, school)
    services.change_roles(
        membership=membership, roles=[Role.TEACHER, Role.ESAFETY_LEAD], by=head, by_capabilities=HEAD_CAPS
    )
    assert membership_of(teacher, school).role_codes == [Role.ESAFETY_LEAD, Role.TEACHER]
    event = AuditEvent.objects.get(action="membership.roles_changed")
    assert event.data == {"from": [Role.TEACHER], "to": [Role.ESAFETY_LEAD, Role.TEACHER]}
    assert (event.actor, event.school, event.object_id) == (head, school, str(membership.pk))


def test_saving_the_same_roles_records_nothing(school, head, teacher):
    services.change_roles(
        membership=membership_of(teacher, school), roles=[Role.TEACHER], by=head, by_capabilities=HEAD_CAPS
    )
    assert not AuditEvent.objects.filter(action="membership.roles_changed").exists()


def test_office_cannot_take_away_a_leadership_role(school, office, deputy):
    membership = membership_of(deputy, school)
    with pytest.raises(ValidationError) as error:
        services.change_roles(membership=membership, roles=[Role.TEACHER], by=office, by_capabilities=OFFICE_CAPS)
    assert "take away a leadership role" in error.value.message_dict["roles"][0]
    assert membership_of(deputy, school).role_codes == [Role.DEPUTY]
    assert not AuditEvent.objects.filter(action="membership.roles_changed").exists()


def test_office_cannot_make_a_teacher_the_dsl(school, office, teacher):
    with pytest.raises(ValidationError) as error:
        services.change_roles(
            membership=membership_of(teacher, school),
            roles=[Role.TEACHER, Role.DSL],
            by=office,
            by_capabilities=OFFICE_CAPS,
        )
    assert "roles" in error.value.message_dict
    assert membership_of(teacher, school).role_codes == [Role.TEACHER]


def test_head_can_take_away_a_leadership_role(school, head, deputy):
    services.change_roles(
        membership=membership_of(deputy, school), roles=[Role.TEACHER], by=head, by_capabilities=HEAD_CAPS
    )
    assert membership_of(deputy, school).role_codes == [Role.TEACHER]


def test_no_one_can_remove_their_own_leadership_role(school, head):
    with pytest.raises(ValidationError) as error:
        services.change_roles(
            membership=membership_of(head, school), roles=[Role.TEACHER], by=head, by_capabilities=HEAD_CAPS
        )
    assert "You can't remove your own leadership role" in error.value.message_dict["roles"][0]
    assert membership_of(head, school).role_codes == [Role.HEADTEACHER]


def test_a_leader_may_swap_one_leadership_role_for_another_on_themselves(school, deputy):
    services.change_roles(
        membership=membership_of(deputy, school),
        roles=[Role.HEADTEACHER],
        by=deputy,
        by_capabilities=capabilities_for([Role.DEPUTY]),
    )
    assert membership_of(deputy, school).role_codes == [Role.HEADTEACHER]


def test_the_head_cannot_remove_her_own_headteacher_role_even_keeping_another_leaders_role(school, head):
    with pytest.raises(ValidationError) as error:
        services.change_roles(
            membership=membership_of(head, school),
            roles=[Role.DEPUTY, Role.DSL],
            by=head,
            by_capabilities=HEAD_CAPS,
        )
    assert "You can't remove your own Headteacher role" in error.value.message_dict["roles"][0]
    assert membership_of(head, school).role_codes == [Role.HEADTEACHER]


def test_the_head_may_add_a_role_to_herself_keeping_headteacher(school, head):
    services.change_roles(
        membership=membership_of(head, school), roles=[Role.HEADTEACHER, Role.DSL], by=head, by_capabilities=HEAD_CAPS
    )
    assert membership_of(head, school).role_codes == [Role.DSL, Role.HEADTEACHER]


def test_another_leader_with_the_capability_can_remove_the_heads_headteacher_role(school, head, deputy):
    services.change_roles(
        membership=membership_of(head, school),
        roles=[Role.DEPUTY],
        by=deputy,
        by_capabilities=capabilities_for([Role.DEPUTY]),
    )
    assert membership_of(head, school).role_codes == [Role.DEPUTY]


def test_the_office_cannot_remove_the_heads_headteacher_role(school, head, office):
    with pytest.raises(ValidationError):
        services.change_roles(
            membership=membership_of(head, school),
            roles=[Role.TEACHER],
            by=office,
            by_capabilities=capabilities_for([Role.OFFICE]),
        )
    assert membership_of(head, school).role_codes == [Role.HEADTEACHER]


# --- mark_leaver -----------------------------------------------------------------


def test_a_leaver_today_leaves_at_once_and_can_no_longer_sign_in(school, head, teacher):
    membership = membership_of(teacher, school)
    services.mark_leaver(membership=membership, leaving_date=timezone.localdate(), by=head)

    membership.refresh_from_db()
    teacher.refresh_from_db()
    assert membership.status == Membership.Status.LEFT
    assert membership.leaving_date == timezone.localdate()
    assert membership.ended_at is not None
    assert not teacher.is_active
    assert AuditEvent.objects.filter(action="membership.leaving_date_set", actor=head, school=school).count() == 1
    left = AuditEvent.objects.get(action="membership.left")
    assert (left.actor, left.school, left.object_id) == (head, school, str(membership.pk))
    assert "login is disabled" in left.summary


def test_a_leaver_is_signed_out_everywhere(school, head, teacher):
    browser = Client()
    sign_in_with_mfa(browser, teacher)
    assert browser.get(f"/s/{school.slug}/").status_code == 200
    assert UserSession.objects.filter(user=teacher).exists()

    services.mark_leaver(membership=membership_of(teacher, school), leaving_date=timezone.localdate(), by=head)

    assert not UserSession.objects.filter(user=teacher).exists()
    response = browser.get(f"/s/{school.slug}/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_leaver_who_still_works_at_another_school_keeps_their_login(school, sister_school, head, teacher):
    MembershipFactory(user=teacher, school=sister_school, roles=[Role.TEACHER])

    services.mark_leaver(membership=membership_of(teacher, school), leaving_date=timezone.localdate(), by=head)

    teacher.refresh_from_db()
    assert teacher.is_active
    assert membership_of(teacher, school).status == Membership.Status.LEFT
    assert membership_of(teacher, sister_school).status == Membership.Status.ACTIVE
    assert "login is disabled" not in AuditEvent.objects.get(action="membership.left").summary


def test_a_trust_officer_who_leaves_a_school_keeps_their_login(school, head, trust_officer):
    membership = MembershipFactory(user=trust_officer, school=school, roles=[Role.GOVERNOR])
    services.mark_leaver(membership=membership, leaving_date=timezone.localdate(), by=head)
    trust_officer.refresh_from_db()
    assert trust_officer.is_active


def test_a_leaver_in_the_past_leaves_at_once(school, head, teacher):
    services.mark_leaver(
        membership=membership_of(teacher, school),
        leaving_date=timezone.localdate() - datetime.timedelta(days=3),
        by=head,
    )
    assert membership_of(teacher, school).status == Membership.Status.LEFT


def test_a_future_leaver_stays_until_the_sweep_runs_on_their_leaving_date(school, head, teacher):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0, tzinfo=LONDON), tick=False):
        services.mark_leaver(
            membership=membership_of(teacher, school), leaving_date=datetime.date(2026, 3, 20), by=head
        )
        assert membership_of(teacher, school).status == Membership.Status.ACTIVE
        assert services.end_memberships_past_leaving_date() == 0

    with time_machine.travel(datetime.datetime(2026, 3, 19, 23, 59, tzinfo=LONDON), tick=False):
        assert services.end_memberships_past_leaving_date() == 0
        teacher.refresh_from_db()
        assert teacher.is_active
        assert membership_of(teacher, school).status == Membership.Status.ACTIVE

    with time_machine.travel(datetime.datetime(2026, 3, 20, 0, 5, tzinfo=LONDON), tick=False):
        assert services.end_memberships_past_leaving_date() == 1
        assert services.end_memberships_past_leaving_date() == 0, "running the sweep twice ends nobody twice"

    membership = membership_of(teacher, school)
    teacher.refresh_from_db()
    assert membership.status == Membership.Status.LEFT
    assert membership.leaving_date == datetime.date(2026, 3, 20)
    assert not teacher.is_active
    left = AuditEvent.objects.get(action="membership.left")
    assert left.actor is None  # the sweep did it
    assert left.school == school


def test_the_sweep_leaves_people_without_a_leaving_date_alone(school, head, teacher, office):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0, tzinfo=LONDON), tick=False):
        services.mark_leaver(
            membership=membership_of(teacher, school), leaving_date=datetime.date(2026, 3, 12), by=head
        )
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, 0, tzinfo=LONDON), tick=False):
        assert services.end_memberships_past_leaving_date() == 1
    assert membership_of(office, school).status == Membership.Status.ACTIVE
    assert membership_of(head, school).status == Membership.Status.ACTIVE


def test_a_leavers_records_are_kept(school, head, pupil):
    carer = make_member(school, Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=carer)
    membership = membership_of(carer, school)

    services.mark_leaver(membership=membership, leaving_date=timezone.localdate(), by=head)

    assert User.objects.filter(pk=carer.pk).exists()
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert membership_of(carer, school).role_codes == [Role.PARENT]
    assert Guardianship.objects.filter(carer=carer, pupil=pupil).exists()


def test_an_invited_leaver_cannot_join_with_their_old_invitation(school, head):
    membership = add(school, head)
    services.mark_leaver(membership=membership, leaving_date=timezone.localdate(), by=head)
    invitation = Invitation.objects.get()
    assert invitation.revoked_at is not None
    with pytest.raises(ValidationError):
        services.invite(membership=membership_of(membership.user, school), by=head)


def test_no_one_can_mark_themselves_as_a_leaver(school, head):
    with pytest.raises(ValidationError):
        services.mark_leaver(membership=membership_of(head, school), leaving_date=timezone.localdate(), by=head)
    assert membership_of(head, school).status == Membership.Status.ACTIVE


def test_someone_who_has_left_cannot_leave_again(school, head, teacher):
    services.mark_leaver(membership=membership_of(teacher, school), leaving_date=timezone.localdate(), by=head)
    with pytest.raises(ValidationError):
        services.mark_leaver(membership=membership_of(teacher, school), leaving_date=timezone.localdate(), by=head)
    assert AuditEvent.objects.filter(action="membership.left").count() == 1


# --- invite ----------------------------------------------------------------------


def test_a_new_invitation_replaces_the_old_link(school, head, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership = add(school, head)
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(membership=membership, by=head)
    first, second = Invitation.objects.order_by("pk")
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert len(mailoutbox) == 2
    assert mailoutbox[0].body != mailoutbox[1].body


def test_someone_who_has_joined_is_not_invited_again(school, head, teacher):
    with pytest.raises(ValidationError) as error:
        services.invite(membership=membership_of(teacher, school), by=head)
    assert "already joined" in error.value.messages[0]
    assert not Invitation.objects.exists()
