import datetime
import re

from django.utils import timezone

from accounts.models import User
from core.roles import Cap, Role, capabilities_for
from schools import services
from schools.models import Membership


def test_a_former_teacher_invited_back_sets_a_new_password_and_rejoins_on_the_same_account(
    client, head, teacher, school, mailoutbox, django_capture_on_commit_callbacks
):
    membership = Membership.objects.get(user=teacher, school=school)
    services.mark_leaver(membership=membership, leaving_date=timezone.localdate(), by=head)
    teacher.refresh_from_db()
    assert not teacher.is_active

    with django_capture_on_commit_callbacks(execute=True):
        services.add_person(
            school=school,
            email=teacher.email.upper(),
            first_name=teacher.first_name,
            last_name=teacher.last_name,
            roles=[Role.TEACHER],
            by=head,
            by_capabilities=capabilities_for([Role.HEADTEACHER]),
        )
    link = re.search(r"http://testserver(/invitations/[^\s]+/)", mailoutbox[-1].body).group(1)

    page = client.get(link)
    assert page.status_code == 200
    assert "Choose a password" in page.content.decode()
    response = client.post(link, {"password1": "a new term, a new pass", "password2": "a new term, a new pass"})

    assert response.status_code == 302
    assert User.objects.filter(email__iexact=teacher.email).count() == 1
    teacher.refresh_from_db()
    assert teacher.is_active and teacher.check_password("a new term, a new pass")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.leaving_date is None
    assert Cap.VIEW_PUPILS in capabilities_for(membership.role_codes)
    assert client.get(f"/s/{school.slug}/pupils/").status_code == 200


def test_a_future_leaving_date_keeps_access_until_that_day(client_for, head, teacher, school):
    membership = Membership.objects.get(user=teacher, school=school)
    services.mark_leaver(
        membership=membership, leaving_date=timezone.localdate() + datetime.timedelta(days=10), by=head
    )

    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert client_for(teacher).get(f"/s/{school.slug}/pupils/").status_code == 200
