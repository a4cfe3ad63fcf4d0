"""The sweeps: what is due is found in the database, at the school's cadence, once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements import services as signing
from agreements.models import Method
from aup.models import AgreementForm, Audience, PolicyVersion
from core.roles import Role
from reminders import services
from reminders.models import ReminderEmail, ReminderItem, ReminderPreference, ReminderSettings
from reminders.schedule import latest_step
from reminders.sweeps import SWEEPS, review_step
from reminders.tasks import run_reminder_sweeps, send_due_reminder_emails
from schools.models import Membership
from tests.agreements.signing_helpers import publish_form_for, publish_staff_form
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory, SchoolClassFactory, UserFactory

UK = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db
Kind = ReminderItem.Kind


def uk(*args):
    return datetime.datetime(*args, tzinfo=UK)


def day(*args):
    return datetime.date(*args)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def sweep(school, on_commit):
    """sweep(moment): the beat at `moment` (UK time): every sweep, then the sending
    sweep, with commit callbacks run as a real commit would."""

    def run(moment, target=school):
        with time_machine.travel(moment, tick=False):
            with on_commit(execute=True):
                made = services.run_sweeps(school=target)
            with on_commit(execute=True):
                send_due_reminder_emails()
        return made

    return run


def every_day(start: datetime.date, end: datetime.date, hour=10):
    while start <= end:
        yield uk(start.year, start.month, start.day, hour, 0)
        start += datetime.timedelta(days=1)


def due_dates(user, kind=Kind.SIGNATURE):
    return sorted(ReminderItem.objects.filter(recipient=user, kind=kind).values_list("due_on", flat=True))


def emails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def published(when, fn, *args, **kwargs):
    with time_machine.travel(when, tick=False):
        form = fn(*args, **kwargs)
    return AgreementForm.objects.select_related("version__policy").get(pk=form.pk)


def review_on(form, when, responsible=None):
    PolicyVersion.objects.filter(pk=form.version_id).update(next_review_on=when, responsible=responsible)


def sign_as(user, form, when, pupil=None):
    with time_machine.travel(when, tick=False):
        signing.sign(
            form=form,
            signer=user,
            typed_name=user.full_name or "A Person",
            statements_agreed=[s.number for s in form.statements.all()],
            submission_key=f"k-{user.pk}-{form.pk}-{pupil.pk if pupil else 0}-{when:%Y%m%d}",
            method=Method.FOR_CHILD if pupil else Method.SELF,
            pupil=pupil,
        )


# --- The cadence ---------------------------------------------------------------------


def test_the_cadence_is_the_days_listed_then_every_n_days():
    assert [latest_step(d, [3, 7, 14], 7) for d in (0, 2, 3, 6, 7, 13, 14, 20, 21, 27, 28)] == [
        None,
        None,
        3,
        3,
        7,
        7,
        14,
        14,
        21,
        21,
        28,
    ]
    assert latest_step(40, [2, 5], 0) == 5  # no more after the list
    assert [latest_step(d, [], 10) for d in (9, 10, 25)] == [None, 10, 20]


def test_staff_are_reminded_3_7_and_14_days_after_publication_then_weekly(sweep, school, head, teacher):
    form = published(uk(2026, 11, 2, 9, 0), publish_staff_form, school, head)  # a Monday
    for moment in every_day(day(2026, 11, 2), day(2026, 12, 1)):
        sweep(moment)
    assert due_dates(teacher) == [
        day(2026, 11, 5),
        day(2026, 11, 9),
        day(2026, 11, 16),
        day(2026, 11, 23),
        day(2026, 11, 30),
    ]
    sent = emails_to(teacher)
    assert len(sent) == 5
    assert f"http://testserver/s/{school.slug}/sign/{form.pk}/" in sent[0].body
    assert school.name in sent[0].subject
    html, mimetype = sent[0].alternatives[0]
    assert mimetype == "text/html" and "/reminders/preferences/" in html


def test_a_school_sets_its_own_cadence(sweep, school, head, teacher):
    ReminderSettings.objects.create(school=school, cadence_days=[1, 2], then_every_days=0)
    published(uk(2026, 11, 2, 9, 0), publish_staff_form, school, head)
    for moment in every_day(day(2026, 11, 2), day(2026, 11, 20)):
        sweep(moment)
    assert due_dates(teacher) == [day(2026, 11, 3), day(2026, 11, 4)]


def test_the_same_sweep_run_twice_sends_nothing_new(sweep, school, head, teacher, parent, pupil, on_commit):
    published(uk(2026, 11, 2, 9, 0), publish_staff_form, school, head)
    published(uk(2026, 11, 2, 9, 0), publish_form_for, school, head, Audience.PARENTS, title="Home learning")
    first = sweep(uk(2026, 11, 5, 10, 0))
    assert first == 3  # head and teacher, and the parent about Amelia
    outbox = len(mail.outbox)
    assert outbox == 3
    assert sweep(uk(2026, 11, 5, 10, 0)) == 0
    assert sweep(uk(2026, 11, 5, 15, 0)) == 0
    with time_machine.travel(uk(2026, 11, 5, 16, 0), tick=False), on_commit(execute=True):
        assert run_reminder_sweeps.delay().get() == 1  # the beat's own task, eagerly
    assert len(mail.outbox) == outbox
    assert ReminderItem.objects.count() == 3
    assert ReminderEmail.objects.count() == 3


def test_a_sweep_that_missed_days_catches_up_with_one_reminder(sweep, school, head, teacher):
    published(uk(2026, 11, 2, 9, 0), publish_staff_form, school, head)
    sweep(uk(2026, 11, 20, 10, 0))  # nothing ran for 18 days
    assert due_dates(teacher) == [day(2026, 11, 16)]
    assert len(emails_to(teacher)) == 1


def test_a_signed_form_stops_its_reminders(sweep, school, head, teacher):
    form = published(uk(2026, 11, 2, 9, 0), publish_staff_form, school, head)
    sweep(uk(2026, 11, 5, 10, 0))
    sign_as(teacher, form, uk(2026, 11, 6, 12, 0))
    for moment in every_day(day(2026, 11, 6), day(2026, 11, 30)):
        sweep(moment)
    assert due_dates(teacher) == [day(2026, 11, 5)]
    assert len(emails_to(teacher)) == 1
    assert len(due_dates(head)) == 5  # the head has not signed


def test_joiners_are_reminded_from_their_start_date(sweep, school, head):
    published(uk(2026, 9, 7, 9, 0), publish_staff_form, school, head)
    joiner = make_member(school, Role.TEACHER, start_date=day(2026, 11, 9))
    for moment in every_day(day(2026, 11, 2), day(2026, 11, 20)):
        sweep(moment)
    assert due_dates(joiner) == [day(2026, 11, 12), day(2026, 11, 16)]


def test_leavers_and_people_only_invited_get_nothing(sweep, school, head, teacher):
    leaver = make_member(school, Role.TEACHER)
    Membership.objects.filter(user=leaver).update(status=Membership.Status.LEFT)
    leaving = make_member(school, Role.TEACHER, leaving_date=day(2026, 11, 4))
    invited = make_member(school, Role.TEACHER, status=Membership.Status.INVITED)
    published(uk(2026, 11, 2, 9, 0), publish_staff_form, school, head)
    for moment in every_day(day(2026, 11, 2), day(2026, 11, 10)):
        sweep(moment)
    assert due_dates(teacher) == [day(2026, 11, 5), day(2026, 11, 9)]
    assert due_dates(leaver) == due_dates(leaving) == due_dates(invited) == []
    assert not emails_to(leaver) and not emails_to(leaving) and not emails_to(invited)


def test_staff_forms_reach_only_the_staff_types_they_are_for(sweep, school, head, teacher):
    Membership.objects.filter(user=teacher).update(staff_type="teaching")
    governor = make_member(school, Role.GOVERNOR, staff_type="governor")
    published(uk(2026, 11, 2, 9, 0), publish_staff_form, school, head, staff_types=["governor"])
    sweep(uk(2026, 11, 5, 10, 0))
    assert due_dates(governor) == [day(2026, 11, 5)]
    assert due_dates(teacher) == []


# --- Parents and pupils ----------------------------------------------------------------


def test_a_parent_is_reminded_about_each_child_in_one_email_with_a_link_to_sign(sweep, school, head, parent, pupil):
    sibling = PupilFactory(school=school, school_class=pupil.school_class, first_name="Yusuf")
    GuardianshipFactory(pupil=sibling, carer=parent)
    form = published(uk(2026, 11, 2, 9, 0), publish_form_for, school, head, Audience.PARENTS)
    sweep(uk(2026, 11, 5, 10, 0))
    assert ReminderItem.objects.filter(recipient=parent).count() == 2
    [message] = emails_to(parent)
    assert "Amelia" in message.body and "Yusuf" in message.body
    assert f"http://testserver/family/sign/{form.pk}/" in message.body


def test_once_one_carer_signs_the_other_is_not_reminded_and_carers_without_pr_never_are(
    sweep, school, head, parent, pupil
):
    second = UserFactory()
    GuardianshipFactory(pupil=pupil, carer=second, relationship="father")
    no_pr = UserFactory()
    GuardianshipFactory(pupil=pupil, carer=no_pr, relationship="grandparent", parental_responsibility=False)
    form = published(uk(2026, 11, 2, 9, 0), publish_form_for, school, head, Audience.PARENTS)
    sweep(uk(2026, 11, 5, 10, 0))
    assert due_dates(parent) == due_dates(second) == [day(2026, 11, 5)]
    sign_as(parent, form, uk(2026, 11, 6, 10, 0), pupil=pupil)
    sweep(uk(2026, 11, 9, 10, 0))
    assert due_dates(second) == [day(2026, 11, 5)]
    assert due_dates(no_pr) == []


def test_a_school_that_asks_every_carer_keeps_reminding_those_who_have_not_signed(sweep, school, head, parent, pupil):
    school.every_carer_signs = True
    school.save()
    second = UserFactory()
    GuardianshipFactory(pupil=pupil, carer=second, relationship="father")
    form = published(uk(2026, 11, 2, 9, 0), publish_form_for, school, head, Audience.PARENTS)
    sign_as(parent, form, uk(2026, 11, 3, 10, 0), pupil=pupil)
    sweep(uk(2026, 11, 5, 10, 0))
    assert due_dates(parent) == []
    assert due_dates(second) == [day(2026, 11, 5)]


def test_a_new_pupil_is_due_from_their_admission_date(sweep, school, head, parent, pupil):
    published(uk(2026, 9, 7, 9, 0), publish_form_for, school, head, Audience.PARENTS)
    newcomer = PupilFactory(school=school, school_class=pupil.school_class, admission_date=day(2026, 11, 9))
    carer = UserFactory()
    GuardianshipFactory(pupil=newcomer, carer=carer)
    for moment in every_day(day(2026, 11, 2), day(2026, 11, 13)):
        sweep(moment)
    assert due_dates(carer) == [day(2026, 11, 12)]


def test_pupils_forms_are_not_emailed_to_pupils_the_class_teacher_gets_one_line_per_class(
    sweep, school, head, teacher, school_class, pupil
):
    school_class.teachers.add(Membership.objects.get(user=teacher))
    PupilFactory(school=school, school_class=school_class)
    PupilFactory(school=school, school_class=school_class)
    other_class = SchoolClassFactory(school=school, name="Ash")
    PupilFactory(school=school, school_class=other_class)  # no teacher: nobody to ask
    published(uk(2026, 11, 2, 9, 0), publish_form_for, school, head, Audience.KS2)
    sweep(uk(2026, 11, 5, 10, 0))
    [item] = ReminderItem.objects.filter(recipient=teacher)
    assert item.text.startswith("3 pupils in Oak still need") and "class session" in item.text
    assert item.subject_key.endswith(f":class:{school_class.pk}")
    assert item.action_url == f"/s/{school.slug}/classes/{school_class.pk}/agreements/"  # where sessions start
    assert ReminderItem.objects.filter(kind=Kind.SIGNATURE).count() == 1


def test_on_1_september_pupils_forms_signed_every_year_come_due_again(sweep, school, head, teacher):
    form = published(uk(2026, 6, 1, 9, 0), publish_staff_form, school, head, every_academic_year=True)
    sign_as(teacher, form, uk(2026, 6, 3, 10, 0))
    for moment in every_day(day(2026, 8, 25), day(2026, 9, 9)):
        sweep(moment)
    # Last year's signature counts until 31 August; from 1 September it is due again.
    assert due_dates(teacher) == [day(2026, 9, 4), day(2026, 9, 8)]


# --- Policy reviews, the new year, the digest ---------------------------------------


def test_policy_review_reminders_come_8_4_and_1_weeks_before_then_weekly_once_overdue(sweep, school, head, teacher):
    form = published(uk(2026, 1, 5, 9, 0), publish_staff_form, school, head)
    version = form.version
    review_on(form, day(2026, 11, 18), teacher)
    for moment in every_day(day(2026, 9, 1), day(2026, 12, 3)):
        sweep(moment)
    expected = [
        day(2026, 9, 23),
        day(2026, 10, 21),
        day(2026, 11, 11),
        day(2026, 11, 18),
        day(2026, 11, 25),
        day(2026, 12, 2),
    ]
    assert due_dates(teacher, Kind.POLICY_REVIEW) == expected
    assert due_dates(head, Kind.POLICY_REVIEW) == expected
    overdue = ReminderItem.objects.get(recipient=teacher, kind=Kind.POLICY_REVIEW, due_on=day(2026, 12, 2))
    assert overdue.text.startswith("Overdue for review since 18/11/2026")
    assert overdue.action_url == f"/s/{school.slug}/policies/versions/{version.pk}/"
    assert review_step(day(2026, 11, 18), day(2026, 9, 22)) is None


def test_the_person_responsible_for_a_policy_is_told_its_review_is_overdue(sweep, school, head, teacher):
    """Every policy has someone responsible (it can't be published without one): they
    hear when its review is overdue, with a link to the version, and other staff don't."""
    esafety_lead = make_member(school, Role.ESAFETY_LEAD, user__first_name="Nia", user__last_name="Evans")
    form = published(uk(2026, 1, 5, 9, 0), publish_staff_form, school, head, responsible=esafety_lead)
    assert form.version.responsible == esafety_lead
    PolicyVersion.objects.filter(pk=form.version_id).update(next_review_on=day(2026, 11, 18))
    sweep(uk(2026, 11, 25, 10, 0))  # a week overdue
    [item] = ReminderItem.objects.filter(recipient=esafety_lead, kind=Kind.POLICY_REVIEW)
    assert item.text == "Overdue for review since 18/11/2026: ICT acceptable use (version 1)."
    [email] = [m for m in emails_to(esafety_lead) if "Overdue for review" in m.body]
    assert f"/s/{school.slug}/policies/versions/{form.version_id}/" in email.body
    assert not ReminderItem.objects.filter(recipient=teacher, kind=Kind.POLICY_REVIEW).exists()


def test_in_late_august_the_head_hears_once_which_forms_pupils_sign_again(sweep, school, head, teacher):
    published(
        uk(2026, 6, 1, 9, 0),
        publish_form_for,
        school,
        head,
        Audience.KS2,
        every_academic_year=True,
        title="Pupils' ICT",
    )
    published(uk(2026, 6, 1, 9, 0), publish_staff_form, school, head, title="Staff code")
    for moment in every_day(day(2026, 8, 10), day(2026, 9, 3)):
        sweep(moment)
    [item] = ReminderItem.objects.filter(kind=Kind.NEW_YEAR)
    assert item.recipient == head and item.due_on == day(2026, 8, 20)
    assert "From 1 September 2026" in item.text and "Pupils' ICT" in item.text and "Staff code" not in item.text
    assert len([m for m in emails_to(head) if "Pupils' ICT" in m.body and "1 September" in m.body]) == 1


def test_on_monday_the_head_and_dsl_get_one_summary_instead_of_many(sweep, school, head, dsl, teacher, parent, pupil):
    published(uk(2026, 11, 2, 9, 0), publish_staff_form, school, head)
    published(uk(2026, 11, 2, 9, 0), publish_form_for, school, head, Audience.PARENTS, title="Home")
    sweep(uk(2026, 11, 3, 10, 0))  # Tuesday: no summary
    assert not ReminderItem.objects.filter(kind=Kind.DIGEST).exists()
    sweep(uk(2026, 11, 9, 6, 0))  # Monday, before quiet hours end
    sweep(uk(2026, 11, 9, 10, 0))
    digests = ReminderItem.objects.filter(kind=Kind.DIGEST)
    assert sorted(d.recipient_id for d in digests) == sorted([head.pk, dsl.pk])
    text = digests[0].text
    assert text.startswith(f"This week at {school.name}:")
    assert "3 staff signatures" in text and "1 parents' signature" in text  # head, dsl, teacher
    dsl_mail = emails_to(dsl)
    assert len(dsl_mail) == 1 and "This week at" in dsl_mail[0].body and "Please read and sign" in dsl_mail[0].body


# --- Quiet hours and the clocks --------------------------------------------------------


def test_a_reminder_found_in_the_evening_goes_at_seven_the_next_morning(sweep, school, head, teacher):
    published(uk(2026, 11, 2, 9, 0), publish_staff_form, school, head)
    sweep(uk(2026, 11, 5, 20, 30))  # Thursday evening
    assert ReminderItem.objects.filter(recipient=teacher).exists()
    assert emails_to(teacher) == []
    assert ReminderEmail.objects.get(recipient=teacher).send_after == uk(2026, 11, 6, 7, 0)
    sweep(uk(2026, 11, 6, 7, 0))
    assert len(emails_to(teacher)) == 1


def test_a_reminder_due_on_the_sunday_the_clocks_go_back_goes_on_monday_at_seven_gmt(sweep, school, head, teacher):
    # Clocks go back at 02:00 on Sunday 25 October 2026: BST (UTC+1) becomes GMT.
    published(uk(2026, 10, 22, 9, 0), publish_staff_form, school, head)  # Thursday, in BST
    sweep(uk(2026, 10, 25, 0, 30))  # Sunday, 00:30 BST (23:30 UTC on Saturday)
    email = ReminderEmail.objects.get(recipient=teacher)
    assert email.day == day(2026, 10, 25)
    assert email.send_after == uk(2026, 10, 26, 7, 0)
    assert email.send_after.astimezone(datetime.UTC).hour == 7  # GMT now
    sweep(uk(2026, 10, 26, 6, 59))
    assert emails_to(teacher) == []
    sweep(uk(2026, 10, 26, 7, 0))
    assert len(emails_to(teacher)) == 1
    assert due_dates(teacher) == [day(2026, 10, 25)]


def test_the_day_a_reminder_belongs_to_is_the_uk_day_across_the_spring_clock_change(sweep, school, head, teacher):
    # Clocks go forward on Sunday 29 March 2026; 00:30 BST on Monday is still Sunday in UTC.
    published(uk(2026, 3, 23, 9, 0), publish_staff_form, school, head)  # Monday
    sweep(uk(2026, 3, 30, 0, 30))
    assert due_dates(teacher) == [day(2026, 3, 30)]  # the 7th day, by the UK calendar
    email = ReminderEmail.objects.get(recipient=teacher, day=day(2026, 3, 30))
    assert email.send_after == uk(2026, 3, 30, 7, 0)
    assert email.send_after.astimezone(datetime.UTC).hour == 6


# --- One email a day, preferences ---------------------------------------------------------


def test_what_comes_due_after_todays_email_has_gone_waits_for_tomorrows(sweep, school, head, teacher):
    published(uk(2026, 11, 2, 9, 0), publish_staff_form, school, head)
    sweep(uk(2026, 11, 5, 10, 0))
    published(uk(2026, 11, 2, 9, 0), publish_staff_form, school, head, title="Mobile phones")
    # A second form published the same morning, seen by a later sweep the same day.
    ReminderItem.objects.filter(recipient=teacher).update(due_on=day(2026, 11, 5))
    sweep(uk(2026, 11, 5, 14, 0))
    assert len(emails_to(teacher)) == 1
    sweep(uk(2026, 11, 6, 7, 0))
    assert len(emails_to(teacher)) == 2
    assert "Mobile phones" in emails_to(teacher)[1].body


def test_someone_who_chose_weekly_gets_optional_reminders_in_mondays_email(sweep, school, head, teacher):
    form = published(uk(2026, 1, 5, 9, 0), publish_staff_form, school, head)
    sign_as(teacher, form, uk(2026, 1, 6, 9, 0))
    review_on(form, day(2026, 11, 18), teacher)
    services.set_preference(user=teacher, frequency=ReminderPreference.Frequency.WEEKLY)
    sweep(uk(2026, 11, 11, 10, 0))  # Wednesday: the 1-week warning
    item = ReminderItem.objects.get(recipient=teacher, kind=Kind.POLICY_REVIEW)
    assert item.email.day == day(2026, 11, 16) and item.email.send_after == uk(2026, 11, 16, 7, 0)
    assert emails_to(teacher) == []
    sweep(uk(2026, 11, 16, 7, 5))
    assert len(emails_to(teacher)) == 1


def test_never_turns_off_optional_reminders_but_not_what_the_person_must_sign(sweep, school, head):
    form = published(uk(2026, 1, 5, 9, 0), publish_staff_form, school, head)
    review_on(form, day(2026, 11, 18))
    published(uk(2026, 11, 2, 9, 0), publish_staff_form, school, head, title="Mobile phones")
    sign_as(head, form, uk(2026, 1, 6, 9, 0))
    services.set_preference(user=head, frequency=ReminderPreference.Frequency.NEVER)
    sweep(uk(2026, 11, 11, 10, 0))
    kinds = set(ReminderItem.objects.filter(recipient=head).values_list("kind", flat=True))
    assert kinds == {Kind.SIGNATURE}
    assert len(emails_to(head)) == 1


# --- Batching ----------------------------------------------------------------------------


def _add_people(school, pupil_class, n):
    for _ in range(n):
        make_member(school, Role.TEACHER)
        child = PupilFactory(school=school, school_class=pupil_class)
        GuardianshipFactory(pupil=child, carer=UserFactory())


def _queries_of_a_sweep(school):
    ReminderItem.objects.all().delete()
    ReminderEmail.objects.all().delete()
    with time_machine.travel(uk(2026, 11, 5, 20, 0), tick=False):  # quiet hours: nothing sent
        with CaptureQueriesContext(connection) as queries:
            made = services.run_sweeps(school=school)
    return made, len(queries)


def test_a_sweep_runs_the_same_number_of_queries_for_5_people_or_50(school, head, school_class):
    published(uk(2026, 11, 2, 9, 0), publish_staff_form, school, head)
    published(uk(2026, 11, 2, 9, 0), publish_form_for, school, head, Audience.PARENTS, title="Parents ICT")
    published(uk(2026, 11, 2, 9, 0), publish_form_for, school, head, Audience.KS2, title="Pupils")
    school_class.teachers.add(Membership.objects.get(user=head))
    _add_people(school, school_class, 5)
    small, small_queries = _queries_of_a_sweep(school)
    _add_people(school, school_class, 45)
    large, large_queries = _queries_of_a_sweep(school)
    assert (small, large) == (12, 102)  # staff and parents, and the class's teacher
    assert large_queries == small_queries


def test_the_registry_holds_each_sweep():
    # Other areas (incidents, ...) register theirs too.
    assert {"outstanding_signatures", "policy_reviews", "new_academic_year", "weekly_digest"} <= set(SWEEPS)


def test_queue_items_records_each_key_once_even_from_two_overlapping_sweeps(school, teacher, on_commit):
    item = {
        "school": school,
        "recipient_id": teacher.pk,
        "kind": Kind.SIGNATURE,
        "subject_key": "digest:1",
        "due_on": day(2026, 11, 5),
        "text": "Please sign",
        "action_url": "/",
    }
    with time_machine.travel(uk(2026, 11, 5, 10, 0), tick=False), on_commit(execute=True):
        assert services.queue_items([item, dict(item)]) == 1
        assert services.queue_items([item]) == 0
    assert ReminderItem.objects.count() == 1
    assert len(mail.outbox) == 1
