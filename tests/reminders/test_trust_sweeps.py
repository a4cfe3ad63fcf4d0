"""Trust-wide policy reviews: the trust's officers are reminded, not the schools that
hold read-only copies; each trust only its own officers."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from aup import services as aup
from aup.models import Audience, PolicyVersion
from reminders import services
from reminders.models import ReminderEmail, ReminderItem
from reminders.tasks import run_reminder_sweeps, send_due_reminder_emails, sweep_trust
from reminders.trust_sweeps import due_trust_items
from tests.factories import SchoolFactory, TrustFactory, TrustMembershipFactory, UserFactory

UK = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db
REVIEW = ReminderItem.Kind.POLICY_REVIEW
REVIEW_ON = datetime.date(2027, 9, 1)
EIGHT_WEEKS_BEFORE = datetime.datetime(2027, 7, 7, 10, 0, tzinfo=UK)  # a Wednesday


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def trust_policy(trust, officer, title="Trust ICT acceptable use"):
    """A published trust-wide policy due for review on REVIEW_ON, copied to its schools."""
    version = aup.create_policy(trust=trust, title=title, kind="ict_aup", audiences=[Audience.STAFF], by=officer)
    aup.update_version(
        version=version,
        by=officer,
        adopted_on=datetime.date(2026, 9, 1),
        next_review_on=REVIEW_ON,
        body="How the trust's schools use ICT.",
        responsible=officer,
    )
    aup.add_change(
        version=version,
        date=datetime.date(2026, 7, 1),
        section="Whole policy",
        change="First trust-wide version.",
        agreed_by="Trust board",
        by=officer,
    )
    aup.approve(version=version, approved_on=datetime.date(2026, 7, 10), chair="Grace Obi", head="Tom Hale", by=officer)
    return aup.publish(version=version, by=officer)


def run_trust(trust, moment, on_commit):
    with time_machine.travel(moment, tick=False):
        with on_commit(execute=True):
            made = sweep_trust.delay(trust.pk).get()
        with on_commit(execute=True):
            send_due_reminder_emails()
    return made


def reviews_to(user):
    return list(ReminderItem.objects.filter(recipient=user, kind=REVIEW).order_by("due_on"))


def test_a_trust_officer_gets_the_8_week_review_reminder_once(trust, school, trust_officer, on_commit):
    version = trust_policy(trust, trust_officer)
    assert run_trust(trust, EIGHT_WEEKS_BEFORE - datetime.timedelta(days=1), on_commit) == 0
    assert run_trust(trust, EIGHT_WEEKS_BEFORE, on_commit) == 1
    [item] = reviews_to(trust_officer)
    assert item.trust_id == trust.pk and item.school_id is None
    assert item.subject_key == f"review:{version.pk}" and item.due_on == datetime.date(2027, 7, 7)
    assert item.text == "Due for review on 01/09/2027: Trust ICT acceptable use (version 1)."
    assert item.action_url == reverse("aup_trust:version", kwargs={"trust_slug": trust.slug, "version_id": version.pk})
    assert not item.mandatory
    [sent] = [m for m in mail.outbox if m.to == [trust_officer.email]]
    assert (
        sent.subject == "Riverside Learning Trust: Due for review on 01/09/2027: Trust ICT acceptable use (version 1)."
    )
    assert "Riverside Learning Trust" in sent.body and f"/t/{trust.slug}/policies/versions/{version.pk}/" in sent.body
    html, _ = sent.alternatives[0]
    assert "Riverside Learning Trust" in html
    assert ReminderEmail.objects.get(recipient=trust_officer).state == ReminderEmail.State.SENT

    assert run_trust(trust, EIGHT_WEEKS_BEFORE + datetime.timedelta(hours=2), on_commit) == 0
    assert run_trust(trust, EIGHT_WEEKS_BEFORE + datetime.timedelta(days=6), on_commit) == 0
    assert len(reviews_to(trust_officer)) == 1
    assert len([m for m in mail.outbox if m.to == [trust_officer.email]]) == 1


def test_the_responsible_person_is_reminded_too_and_trust_reminders_keep_quiet_hours(trust, trust_officer, on_commit):
    version = trust_policy(trust, trust_officer)
    owner = UserFactory(first_name="Marguerite", last_name="Oyelaran")
    PolicyVersion.objects.filter(pk=version.pk).update(responsible=owner)
    evening = EIGHT_WEEKS_BEFORE.replace(hour=20)
    assert run_trust(trust, evening, on_commit) == 2
    assert [i.recipient_id for i in ReminderItem.objects.order_by("pk")] == [owner.pk, trust_officer.pk]
    assert mail.outbox == []
    assert ReminderEmail.objects.filter(send_after=EIGHT_WEEKS_BEFORE.replace(day=8, hour=7)).count() == 2


def test_the_head_of_a_school_holding_the_copy_gets_no_review_reminder_for_it(
    trust, school, head, trust_officer, on_commit
):
    trust_policy(trust, trust_officer)
    copy = PolicyVersion.objects.get(policy__school=school)
    assert copy.next_review_on == REVIEW_ON  # the copy has the date, yet is reviewed by the trust
    with time_machine.travel(EIGHT_WEEKS_BEFORE, tick=False), on_commit(execute=True):
        services.run_sweeps(school=school)
    run_trust(trust, EIGHT_WEEKS_BEFORE, on_commit)
    assert reviews_to(head) == []
    assert len(reviews_to(trust_officer)) == 1


def test_an_ended_trust_membership_gets_nothing(trust, trust_officer, on_commit):
    former = TrustMembershipFactory(trust=trust, ended_at=timezone.now()).user
    inactive = TrustMembershipFactory(trust=trust, user__is_active=False).user
    trust_policy(trust, trust_officer)
    run_trust(trust, EIGHT_WEEKS_BEFORE, on_commit)
    assert reviews_to(former) == [] and reviews_to(inactive) == []
    assert len(reviews_to(trust_officer)) == 1


def test_a_run_over_two_trusts_keeps_each_to_its_own_officers(trust, school, trust_officer, on_commit):
    other_trust = TrustFactory(name="Hillcrest Academies", slug="hillcrest")
    SchoolFactory(trust=other_trust, name="Hillcrest Primary", slug="hillcrest-primary")
    other_officer = TrustMembershipFactory(trust=other_trust).user
    ours = trust_policy(trust, trust_officer, title="Riverside online safety")
    theirs = trust_policy(other_trust, other_officer, title="Hillcrest online safety")
    with time_machine.travel(EIGHT_WEEKS_BEFORE, tick=False):
        with on_commit(execute=True):
            assert run_reminder_sweeps.delay().get() == 2  # the schools; and a task per trust
        with on_commit(execute=True):
            send_due_reminder_emails()
    assert [(i.subject_key, i.trust_id) for i in reviews_to(trust_officer)] == [(f"review:{ours.pk}", trust.pk)]
    assert [(i.subject_key, i.trust_id) for i in reviews_to(other_officer)] == [(f"review:{theirs.pk}", other_trust.pk)]
    [to_other] = [m for m in mail.outbox if m.to == [other_officer.email]]
    assert "Hillcrest online safety" in to_other.body and "Riverside" not in to_other.body


def test_a_person_with_school_and_trust_reminders_gets_one_email_naming_both(
    trust, school, head, trust_officer, on_commit
):
    from reminders.sweeps import SchoolScan, _item

    trust_policy(trust, trust_officer)
    with time_machine.travel(EIGHT_WEEKS_BEFORE, tick=False), on_commit(execute=True):
        scan = SchoolScan(school)
        school_item = _item(scan, trust_officer.pk, ReminderItem.Kind.DIGEST, "digest:x", scan.today, "Hello.", "/")
        assert services.queue_items([school_item, *due_trust_items(trust)]) == 2
    [sent] = mail.outbox
    assert "Oakfield Primary School:" in sent.body and "Riverside Learning Trust:" in sent.body
    assert sent.subject == "2 things to do"
