"""One person, one membership per school, however many hats they wear there."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Invitation
from core.models import AuditEvent
from core.roles import Role, capabilities_for
from schools import services
from schools.models import Guardianship, Membership

from ..factories import PupilFactory

HEAD_CAPS = capabilities_for([Role.HEADTEACHER])
OFFICE_CAPS = capabilities_for([Role.OFFICE])


def _add_parent(school, by, email, pupils, caps=OFFICE_CAPS):
    return services.add_person(
        school=school,
        email=email,
        first_name="Pat",
        last_name="Carer",
        roles=[Role.PARENT],
        children=[services.ChildLink(pupil=p, relationship="mother") for p in pupils],
        by=by,
        by_capabilities=caps,
    )


def test_a_teacher_who_is_also_a_parent_here_keeps_one_membership_with_both_roles(school, office, teacher, pupil):
    membership = _add_parent(school, office, teacher.email, [pupil])

    assert Membership.objects.filter(user=teacher, school=school).count() == 1
    assert membership.role_codes == sorted([Role.PARENT, Role.TEACHER])
    assert membership.status == Membership.Status.ACTIVE
    assert Guardianship.objects.filter(carer=teacher, pupil=pupil).exists()
    assert not Invitation.objects.exists()
    assert AuditEvent.objects.filter(action="membership.roles_changed", school=school).exists()


def test_a_parent_who_joins_the_staff_gains_the_staff_role(school, head, parent):
    membership = services.add_person(
        school=school,
        email=parent.email,
        first_name=parent.first_name,
        last_name=parent.last_name,
        roles=[Role.SUPPORT_STAFF],
        by=head,
        by_capabilities=HEAD_CAPS,
    )

    assert membership.role_codes == sorted([Role.PARENT, Role.SUPPORT_STAFF])
    assert Guardianship.objects.filter(carer=parent).count() == 1


def test_adding_a_parent_again_for_a_second_child_links_that_child(school, office, parent, pupil, school_class):
    sibling = PupilFactory(school=school, school_class=school_class)

    _add_parent(school, office, parent.email, [pupil, sibling])

    assert set(Guardianship.objects.filter(carer=parent).values_list("pupil", flat=True)) == {pupil.pk, sibling.pk}
    event = AuditEvent.objects.get(action="membership.children_linked")
    assert str(sibling) in event.summary


def test_adding_a_parent_again_for_the_same_child_is_refused(school, office, parent, pupil):
    with pytest.raises(ValidationError) as error:
        _add_parent(school, office, parent.email, [pupil])

    assert "already a member" in error.value.message_dict["email"][0]


def test_the_office_cannot_mark_the_headteacher_as_leaving(school, office, head):
    membership = Membership.objects.get(user=head, school=school)

    with pytest.raises(ValidationError, match="Only the headteacher or deputy"):
        services.mark_leaver(
            membership=membership, leaving_date=timezone.localdate(), by=office, by_capabilities=OFFICE_CAPS
        )

    membership.refresh_from_db()
    head.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE and membership.leaving_date is None
    assert head.is_active


def test_the_office_sees_the_refusal_beside_the_leaving_date_form(client_for, school, office, dsl):
    membership = Membership.objects.get(user=dsl, school=school)

    response = client_for(office).post(
        f"/s/{school.slug}/people/{membership.pk}/leaver/", {"leaving_date": timezone.localdate().isoformat()}
    )

    assert response.status_code == 400
    assert "Only the headteacher or deputy can mark someone in a leadership role" in response.content.decode()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_the_office_can_mark_a_teacher_as_leaving(school, office, teacher):
    membership = Membership.objects.get(user=teacher, school=school)

    services.mark_leaver(
        membership=membership, leaving_date=timezone.localdate(), by=office, by_capabilities=OFFICE_CAPS
    )

    membership.refresh_from_db()
    assert membership.status == Membership.Status.LEFT
