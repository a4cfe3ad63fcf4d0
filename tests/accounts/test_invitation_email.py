"""The invitation email: sent after commit, in text and HTML, once."""

import pytest

from accounts.models import Invitation
from accounts.tasks import send_invitation_email
from core.roles import Role, capabilities_for
from schools.services import add_person, invite

from .conftest import link_in

pytestmark = pytest.mark.django_db

NEWCOMER = "sam.okafor@example.org"


def test_invitation_email_goes_to_the_person_with_the_link_in_text_and_html(invite_person, mailoutbox, school, head):
    _, link = invite_person(NEWCOMER)

    message = mailoutbox[-1]
    assert message.to == [NEWCOMER]
    assert school.name in message.subject
    assert f"http://testserver{link}" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="http://testserver{link}"' in html
    assert head.full_name in message.body


def test_invitation_email_is_sent_only_after_the_transaction_commits(
    school, head, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        add_person(
            school=school,
            email=NEWCOMER,
            first_name="Sam",
            last_name="Okafor",
            roles=[Role.TEACHER],
            by=head,
            by_capabilities=capabilities_for([Role.HEADTEACHER]),
        )

    assert mailoutbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mailoutbox) == 1


def test_invitation_email_is_not_sent_twice_when_the_task_runs_twice(invite_person, mailoutbox):
    _, link = invite_person(NEWCOMER)
    invitation = Invitation.objects.get(email=NEWCOMER)
    assert invitation.email_sent_at is not None

    send_invitation_email(invitation.pk, f"http://testserver{link}")
    send_invitation_email.delay(invitation.pk, f"http://testserver{link}")

    assert len(mailoutbox) == 1


def test_replaced_invitation_email_is_not_sent(invite_person, head, mailoutbox, django_capture_on_commit_callbacks):
    membership, _ = invite_person(NEWCOMER)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = invite(membership=membership, by=head)
        invite(membership=membership, by=head)

    for callback in callbacks:
        callback()

    assert len(mailoutbox) == 2  # the first invitation's, and the newest one's
    assert Invitation.objects.get(pk=first.pk).email_sent_at is None
    newest = Invitation.objects.pending().get()
    assert newest.email_sent_at is not None
    assert link_in(mailoutbox[-1])


def test_an_invitation_email_delayed_past_its_expiry_is_not_sent(invite_person, mailoutbox):
    import datetime

    import time_machine
    from django.utils import timezone

    from accounts.models import Invitation
    from accounts.tasks import send_invitation_email

    membership, _ = invite_person(NEWCOMER)
    invitation = Invitation.objects.get(target_id=membership.pk)
    Invitation.objects.filter(pk=invitation.pk).update(email_sent_at=None)
    mailoutbox.clear()

    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        send_invitation_email(invitation.pk, "http://testserver/invitations/x/")

    assert mailoutbox == []
