"""The reminder pages: a school's settings and log, and a person's own preference."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from core.roles import Role
from reminders.models import ReminderEmail, ReminderItem, ReminderPreference, ReminderSettings
from tests.conftest import make_member
from tests.factories import UserFactory

UK = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def settings_url(school):
    return f"/s/{school.slug}/reminders/settings/"


def log_url(school):
    return f"/s/{school.slug}/reminders/"


VALID = {
    "cadence_days": "2, 5, 10",
    "then_every_days": "14",
    "quiet_from": "18:30",
    "quiet_until": "08:00",
    "quiet_at_weekends": "on",
}


# --- Settings ------------------------------------------------------------------------


def test_the_settings_page_shows_the_defaults_until_the_school_changes_them(client_for, school, head):
    response = client_for(head).get(settings_url(school))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="3, 7, 14"' in page and 'value="19:00"' in page and 'value="07:00"' in page


def test_the_head_saves_the_cadence_and_quiet_hours(client_for, school, head):
    response = client_for(head).post(settings_url(school), VALID)
    assert response.status_code == 302
    rules = ReminderSettings.objects.get(school=school)
    assert rules.cadence_days == [2, 5, 10] and rules.then_every_days == 14
    assert rules.quiet_from == datetime.time(18, 30) and rules.quiet_until == datetime.time(8, 0)
    assert rules.quiet_at_weekends
    assert AuditEvent.objects.filter(action="school.reminder_settings", school=school).exists()


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"cadence_days": "3, seven"}, "cadence_days", "Write whole numbers of days separated by commas"),
        ({"cadence_days": "7, 3"}, "cadence_days", "smallest first, each once"),
        ({"cadence_days": "3, 3"}, "cadence_days", "smallest first, each once"),
        ({"cadence_days": "3, 400"}, "cadence_days", "between 0 and 365"),
        ({"then_every_days": "120"}, "then_every_days", "at most 90 days"),
        ({"then_every_days": ""}, "then_every_days", "Enter a number of days"),
        ({"cadence_days": "", "then_every_days": "0"}, "then_every_days", "With no days listed above"),
        (
            {"quiet_from": "7 in the evening"},
            "quiet_from",
            "The time quiet hours start must be a real time, like 14:30",
        ),
        ({"quiet_until": "18:30"}, "quiet_until", "must end at a different time"),
    ],
)
def test_the_settings_form_says_what_is_wrong_beside_the_field(client_for, school, head, change, field, message):
    response = client_for(head).post(settings_url(school), {**VALID, **change})
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert not ReminderSettings.objects.filter(school=school).exists()


@pytest.mark.parametrize("who", ["teacher", "office", "dsl", "parent", "outsider"])
def test_only_people_who_manage_the_school_settings_see_the_reminder_settings(client_for, school, who, request):
    user = request.getfixturevalue(who)
    assert client_for(user).get(settings_url(school)).status_code == 404
    assert client_for(user).post(settings_url(school), VALID).status_code == 404
    assert not ReminderSettings.objects.exists()


# --- The log ------------------------------------------------------------------------------


def _reminder(school, recipient, state, *, kind=ReminderItem.Kind.SIGNATURE, due=datetime.date(2026, 11, 5), n=0):
    email, _ = ReminderEmail.objects.get_or_create(
        recipient=recipient,
        day=due,
        defaults={
            "state": state,
            "send_after": datetime.datetime(2026, 11, 5, 7, tzinfo=UK),
            "sent_at": datetime.datetime(2026, 11, 5, 7, 1, tzinfo=UK) if state == "sent" else None,
            "last_error": "550 No such user" if state == "bounced" else "",
        },
    )
    return ReminderItem.objects.create(
        school=school,
        recipient=recipient,
        email=email,
        kind=kind,
        subject_key=f"form:{n}",
        due_on=due,
        text=f"Please read and sign: form {n}.",
        action_url="/",
    )


def test_the_log_lists_each_reminder_with_its_email_state(client_for, school, other_school, head, teacher):
    _reminder(school, teacher, "sent", n=1)
    _reminder(school, head, "bounced", n=2)
    _reminder(other_school, UserFactory(), "sent", n=3)
    page = client_for(head).get(log_url(school)).content.decode()
    assert "form 1." in page and "Sent 05/11/2026 07:01" in page
    assert "form 2." in page and "Bounced" in page and "550 No such user" in page
    assert "form 3." not in page  # another school's


def test_the_log_filters_by_state_kind_and_due_date(client_for, school, head, teacher):
    _reminder(school, teacher, "sent", n=1)
    _reminder(school, head, "failed", n=2)
    _reminder(school, head, "queued", kind=ReminderItem.Kind.POLICY_REVIEW, due=datetime.date(2026, 12, 1), n=3)
    client = client_for(head)

    def shown(**query):
        response = client.get(log_url(school), query)
        return sorted(item.subject_key for item in response.context["page"])

    assert shown() == ["form:1", "form:2", "form:3"]
    assert shown(state="failed") == ["form:2"]
    assert shown(kind="policy_review") == ["form:3"]
    assert shown(due_from="2026-11-10") == ["form:3"]
    assert shown(due_to="2026-11-30") == ["form:1", "form:2"]
    response = client.get(log_url(school), {"due_from": "2026-12-01", "due_to": "2026-11-01"})
    assert "The end date is before the start date." in response.content.decode()


def test_the_log_runs_the_same_queries_for_a_few_reminders_or_a_page_full(
    client_for, school, head, django_assert_num_queries
):
    client = client_for(head)
    for n in range(3):
        _reminder(school, make_member(school, Role.TEACHER), "sent", n=n)
    client.get(log_url(school))
    with CaptureQueriesContext(connection) as few:
        client.get(log_url(school))
    for n in range(3, 60):
        _reminder(school, make_member(school, Role.TEACHER), "queued", n=n)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(log_url(school))
    assert len(response.context["page"]) == 50
    response = client.get(log_url(school), {"state": "queued", "page": "2"})
    assert "state=queued&amp;page=1" in response.content.decode()


@pytest.mark.parametrize("who", ["teacher", "dsl", "parent", "outsider", "governor"])
def test_the_log_is_not_found_for_people_without_the_compliance_view(client_for, school, head, who, request):
    _reminder(school, head, "sent", n=1)
    user = request.getfixturevalue(who)
    assert client_for(user).get(log_url(school)).status_code == 404


def test_the_business_manager_sees_the_log_but_not_the_settings(client_for, school):
    manager = make_member(school, Role.BUSINESS_MANAGER)
    client = client_for(manager)
    assert client.get(log_url(school)).status_code == 200
    assert client.get(settings_url(school)).status_code == 404


# --- Preferences -----------------------------------------------------------------------------


def test_a_parent_chooses_the_weekly_summary_from_the_link_in_the_email(client_for, parent):
    client = client_for(parent)
    response = client.get("/reminders/preferences/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "always come" in page and 'value="each"' in page and "checked" in page
    response = client.post("/reminders/preferences/", {"frequency": "weekly"})
    assert response.status_code == 302
    assert ReminderPreference.objects.get(user=parent).frequency == "weekly"
    assert client.post("/reminders/preferences/", {"frequency": "sometimes"}).status_code == 400


def test_the_preferences_page_needs_signing_in(client):
    response = client.get("/reminders/preferences/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_each_persons_preference_is_their_own(client_for, parent, teacher):
    client_for(parent).post("/reminders/preferences/", {"frequency": "never"})
    assert not ReminderPreference.objects.filter(user=teacher).exists()


def test_the_email_footer_links_to_the_preferences(school, head, teacher, django_capture_on_commit_callbacks):
    from django.core import mail

    from reminders import services
    from tests.agreements.signing_helpers import publish_staff_form

    form = publish_staff_form(school, head)
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, tzinfo=UK), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.remind_now(school=school, form=form, recipients={teacher: []}, requested_by=head)
    assert "http://testserver/reminders/preferences/" in mail.outbox[0].body
    assert "can't turn off reminders about something you must still sign" in mail.outbox[0].body
