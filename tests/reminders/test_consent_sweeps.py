"""Photo consent reminders: carers with parental responsibility are asked, at the
school's cadence, to answer (or confirm) the published consent form for each child."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consent import services as consent
from reminders import services
from reminders.models import ReminderEmail, ReminderItem, ReminderPreference
from reminders.sweeps import due_items
from reminders.tasks import send_due_reminder_emails
from tests.consent.helpers import answer
from tests.factories import GuardianshipFactory, PupilFactory, UserFactory

UK = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db
CONSENT = ReminderItem.Kind.CONSENT


def uk(*args):
    return datetime.datetime(*args, tzinfo=UK)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def sweep(school, on_commit):
    def run(moment):
        with time_machine.travel(moment, tick=False):
            with on_commit(execute=True):
                made = services.run_sweeps(school=school)
            with on_commit(execute=True):
                send_due_reminder_emails()
        return made

    return run


def publish(school, head, when):
    with time_machine.travel(when, tick=False):
        return consent.publish(draft=consent.start_draft(school=school, by=head), by=head)


def answered(carer, pupil, form, when, key):
    with time_machine.travel(when, tick=False):
        answer(carer, pupil, form, key, website=True)


def consent_items(user):
    return list(ReminderItem.objects.filter(recipient=user, kind=CONSENT).order_by("due_on"))


def every_day(start, end, hour=10):
    while start <= end:
        yield uk(start.year, start.month, start.day, hour, 0)
        start += datetime.timedelta(days=1)


@pytest.fixture
def father(pupil):
    carer = UserFactory(first_name="Barnaby", last_name="Quillfeather")
    GuardianshipFactory(pupil=pupil, carer=carer, relationship="father")
    return carer


@pytest.fixture
def no_pr_carer(pupil):
    carer = UserFactory(first_name="Cornelius", last_name="Wrenhaven")
    GuardianshipFactory(pupil=pupil, carer=carer, relationship="other", parental_responsibility=False)
    return carer


def test_an_outstanding_pupils_carers_are_reminded_on_the_cadence_days_and_not_before(
    sweep, school, head, parent, father, no_pr_carer, pupil
):
    form = publish(school, head, uk(2026, 11, 2, 9, 0))  # a Monday
    for moment in every_day(datetime.date(2026, 11, 2), datetime.date(2026, 11, 4)):
        sweep(moment)
    assert not ReminderItem.objects.filter(kind=CONSENT).exists()
    for moment in every_day(datetime.date(2026, 11, 5), datetime.date(2026, 11, 20)):
        sweep(moment)
    for carer in (parent, father):
        items = consent_items(carer)
        assert [i.due_on for i in items] == [
            datetime.date(2026, 11, 5),
            datetime.date(2026, 11, 9),
            datetime.date(2026, 11, 16),
        ]
        assert items[0].text == (
            "Please answer the photo consent form for Amelia: say yes or no to each use of their photo."
        )
        assert items[0].subject_key == f"consent:{form.pk}:pupil:{pupil.pk}"
        assert items[0].action_url == reverse("family_consent:answer", kwargs={"pupil_id": pupil.pk})
        assert not items[0].mandatory
    assert consent_items(no_pr_carer) == []
    sent = [m for m in mail.outbox if m.to == [parent.email]]
    assert len(sent) == 3 and "photo consent form for Amelia" in sent[0].body
    assert f"/family/consent/children/{pupil.pk}/" in sent[0].body
    assert not [m for m in mail.outbox if m.to == [no_pr_carer.email]]


def test_a_pupil_answered_on_the_current_form_is_not_chased(sweep, school, head, parent, pupil, school_class):
    form = publish(school, head, uk(2026, 11, 2, 9, 0))
    answered(parent, pupil, form, uk(2026, 11, 3, 18, 0), "amelia")
    sibling = PupilFactory(school=school, school_class=school_class, first_name="Ottilie")
    other = UserFactory(first_name="Persephone", last_name="Ashgrove")
    GuardianshipFactory(pupil=sibling, carer=other)
    sweep(uk(2026, 11, 5, 10, 0))
    assert consent_items(parent) == []
    assert [i.subject_key for i in consent_items(other)] == [f"consent:{form.pk}:pupil:{sibling.pk}"]


def test_a_new_version_asks_carers_to_confirm_their_answers(sweep, school, head, parent, father, pupil):
    first = publish(school, head, uk(2026, 11, 2, 9, 0))
    answered(parent, pupil, first, uk(2026, 11, 3, 18, 0), "v1")
    second = publish(school, head, uk(2026, 11, 10, 9, 0))
    sweep(uk(2026, 11, 12, 10, 0))
    assert consent_items(parent) == []  # 3 days from the new version's publication
    sweep(uk(2026, 11, 13, 10, 0))
    for carer in (parent, father):
        [item] = consent_items(carer)
        assert item.subject_key == f"consent:{second.pk}:pupil:{pupil.pk}"
        assert item.text == "The school has updated its photo consent form: please confirm your answers for Amelia."


def test_a_pupil_admitted_later_is_due_from_their_admission_date(sweep, school, head, school_class):
    publish(school, head, uk(2026, 11, 2, 9, 0))
    joiner = PupilFactory(
        school=school, school_class=school_class, first_name="Leopold", admission_date=datetime.date(2026, 11, 10)
    )
    carer = UserFactory(first_name="Ingrid", last_name="Farthingale")
    GuardianshipFactory(pupil=joiner, carer=carer)
    for moment in every_day(datetime.date(2026, 11, 5), datetime.date(2026, 11, 17)):
        sweep(moment)
    assert [i.due_on for i in consent_items(carer)] == [datetime.date(2026, 11, 13), datetime.date(2026, 11, 17)]


def test_a_carer_who_chose_never_is_not_reminded(sweep, school, head, parent, pupil):
    ReminderPreference.objects.create(user=parent, frequency=ReminderPreference.Frequency.NEVER)
    publish(school, head, uk(2026, 11, 2, 9, 0))
    sweep(uk(2026, 11, 5, 10, 0))
    assert consent_items(parent) == []


def test_answered_overnight_the_reminder_is_dropped_at_send_time(sweep, school, head, parent, father, pupil):
    form = publish(school, head, uk(2026, 11, 2, 9, 0))
    sweep(uk(2026, 11, 5, 20, 0))  # found in the evening: waits for 07:00
    assert len(consent_items(parent)) == 1 and len(consent_items(father)) == 1
    assert not [m for m in mail.outbox if m.to in ([parent.email], [father.email])]
    answered(father, pupil, form, uk(2026, 11, 5, 21, 0), "overnight")
    mail.outbox.clear()
    sweep(uk(2026, 11, 6, 7, 0))
    for carer in (parent, father):
        [item] = consent_items(carer)
        assert item.dropped_at is not None
        assert item.email.state == ReminderEmail.State.NOT_NEEDED
    assert mail.outbox == []


def test_a_replaced_form_drops_its_waiting_reminders(sweep, school, head, parent, pupil):
    publish(school, head, uk(2026, 11, 2, 9, 0))
    sweep(uk(2026, 11, 5, 20, 0))
    publish(school, head, uk(2026, 11, 5, 22, 0))
    sweep(uk(2026, 11, 6, 7, 0))
    [item] = consent_items(parent)
    assert item.dropped_at is not None and item.email.state == ReminderEmail.State.NOT_NEEDED


def test_the_weekly_digest_counts_pupils_with_no_consent_answers(sweep, school, head, dsl, parent, pupil, school_class):
    form = publish(school, head, uk(2026, 11, 2, 9, 0))
    PupilFactory(school=school, school_class=school_class, first_name="Wilhelmina")
    answered_pupil = PupilFactory(school=school, school_class=school_class, first_name="Augustin")
    carer = UserFactory(first_name="Rosalind", last_name="Hawthorne")
    GuardianshipFactory(pupil=answered_pupil, carer=carer)
    answered(carer, answered_pupil, form, uk(2026, 11, 3, 9, 0), "augustin")
    sweep(uk(2026, 11, 9, 10, 0))  # Monday
    digest = ReminderItem.objects.get(recipient=head, kind=ReminderItem.Kind.DIGEST)
    assert "2 pupils have no photo consent answers." in digest.text


def test_the_digest_says_nothing_of_consent_when_every_pupil_has_answers(sweep, school, head, parent, pupil):
    from tests.agreements.signing_helpers import publish_staff_form

    form = publish(school, head, uk(2026, 11, 2, 9, 0))
    with time_machine.travel(uk(2026, 11, 2, 9, 0), tick=False):
        publish_staff_form(school, head)  # something else for the digest to say
    answered(parent, pupil, form, uk(2026, 11, 3, 9, 0), "all")
    sweep(uk(2026, 11, 9, 10, 0))
    digest = ReminderItem.objects.get(recipient=head, kind=ReminderItem.Kind.DIGEST)
    assert "photo consent" not in digest.text


def _add_pupils(school, school_class, n, tag):
    for i in range(n):
        pupil = PupilFactory(school=school, school_class=school_class, first_name=f"{tag}{i}")
        GuardianshipFactory(pupil=pupil, carer=UserFactory())
        GuardianshipFactory(pupil=pupil, carer=UserFactory(), parental_responsibility=False)


def _queries(school):
    with time_machine.travel(uk(2026, 11, 9, 10, 0), tick=False):
        with CaptureQueriesContext(connection) as queries:
            items = due_items(school)
    return len(queries), sum(1 for i in items if i["kind"] == CONSENT)


def test_the_consent_sweep_takes_the_same_queries_for_3_pupils_or_30(school, head, school_class):
    publish(school, head, uk(2026, 11, 2, 9, 0))
    _add_pupils(school, school_class, 3, "Few")
    few, made = _queries(school)
    assert made == 3
    _add_pupils(school, school_class, 27, "Many")
    many, made = _queries(school)
    assert made == 30
    assert few == many
