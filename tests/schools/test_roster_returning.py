"""A parent who left and comes back in a later MIS file gets their old membership
back: one membership per school, never a constraint error that sinks the import."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.roles import Role
from schools import services
from schools.models import Membership
from schools.roster import services as roster

CONTACTS = "UPN,Contact Surname,Contact Forename,Relationship,Parental Responsibility,Primary Email\n{upn},Khan,Sara,Mother,Y,{email}\n"


def _import(school, by, text):
    upload = SimpleUploadedFile("contacts.csv", text.encode())
    roster_import = roster.check_upload(school=school, kind="contacts", upload=upload, by=by)
    return roster.apply_import(roster_import=roster_import, by=by)


def test_a_returning_parent_gets_their_old_membership_back_with_only_the_parent_role(school, head, office, pupil):
    email = "sara.khan@example.org"
    _import(school, office, CONTACTS.format(upn=pupil.upn, email=email))
    membership = Membership.objects.get(user__email=email, school=school)
    services.mark_leaver(membership=membership, leaving_date=timezone.localdate(), by=head)
    membership.roles.create(role=Role.VOLUNTEER)  # something they held before they left

    plan = _import(school, office, CONTACTS.format(upn=pupil.upn, email=email))

    assert plan.counts["added"] == 1
    assert Membership.objects.filter(user__email=email, school=school).count() == 1
    membership.refresh_from_db()
    assert membership.status == Membership.Status.INVITED
    assert membership.ended_at is None
    assert membership.role_codes == [Role.PARENT]
