from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Invitation
from core.roles import Role
from schools.models import Membership, School

ARGS = [
    "--name=Riverside Primary School",
    "--slug=riverside",
    "--urn=149001",
    "--phase=primary",
    "--trust=Riverside Learning Trust",
    "--head-email=Head@Riverside.example",
    "--head-first-name=Sarah",
    "--head-last-name=Mitchell",
]


def test_add_school_creates_the_school_and_invites_its_head(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("add_school", *ARGS, stdout=StringIO())

    school = School.objects.get(slug="riverside")
    assert school.trust.name == "Riverside Learning Trust"
    membership = Membership.objects.get(school=school)
    assert membership.role_codes == [Role.HEADTEACHER]
    assert membership.status == Membership.Status.INVITED
    assert Invitation.objects.get().email == "head@riverside.example"
    assert len(mailoutbox) == 1 and "/invitations/" in mailoutbox[0].body


def test_add_school_with_a_bad_urn_changes_nothing(db):
    with pytest.raises(CommandError, match="URN"):
        call_command("add_school", *[a if not a.startswith("--urn") else "--urn=12" for a in ARGS], stdout=StringIO())

    assert not School.objects.exists()
    assert not Membership.objects.exists()
