"""Rights requests: recorded with who asked, when and what; answered within one
calendar month; the head reminded a week before and once it has passed."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from core.desk import OVERDUE, WAITING, desk_for
from privacy import services
from privacy.models import RightsRequest, answer_by
from reminders import services as reminders
from reminders.models import ReminderItem
from reminders.privacy_sweeps import request_step
from tests.dates import date_data

pytestmark = pytest.mark.django_db
UK = ZoneInfo("Europe/London")


def uk(*args):
    return datetime.datetime(*args, tzinfo=UK)


@pytest.mark.parametrize(
    "received, due",
    [
        (datetime.date(2027, 1, 31), datetime.date(2027, 2, 28)),  # no 31 February: the month's last day
        (datetime.date(2027, 3, 15), datetime.date(2027, 4, 15)),
        (datetime.date(2026, 12, 31), datetime.date(2027, 1, 31)),
    ],
)
def test_the_deadline_is_one_calendar_month_after_receipt(received, due):
    assert answer_by(received) == due


def record(school, head, received_on, kind="erasure"):
    return services.record_request(
        school=school,
        by=head,
        kind=kind,
        requester_name="Sarah Khan",
        requester_relationship="Mother of a pupil",
        subject_name="Amelia Khan",
        received_on=received_on,
        details="Please delete the photos of my daughter.",
    )


def test_the_head_records_a_request_on_the_page_and_sees_its_due_date(client_for, school, head):
    with time_machine.travel(uk(2027, 1, 31, 10, 0), tick=False):
        client = client_for(head)  # signed in now: a session from before would have expired
        response = client.post(
            f"/s/{school.slug}/data-protection/requests/new/",
            {
                "kind": "rectification",
                "requester_name": "Sarah Khan",
                "requester_relationship": "Mother of a pupil",
                "subject_name": "Amelia Khan",
                "details": "Her date of birth is wrong.",
                **date_data("received_on", datetime.date(2027, 1, 30)),
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert "/requests/" in response["Location"]
        rights_request = RightsRequest.objects.get()
        assert rights_request.due_on == datetime.date(2027, 2, 28)
        assert rights_request.recorded_by == head
        page = client.get(response["Location"]).content.decode()
        assert "Sunday 28 February 2027" in page
        listing = client.get(f"/s/{school.slug}/data-protection/").content.decode()
        assert "28 February 2027" in listing and "Sarah Khan" in listing


def test_a_request_needs_its_fields_and_a_date_not_in_the_future(client_for, school, head):
    client = client_for(head)
    response = client.post(f"/s/{school.slug}/data-protection/requests/new/", {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose what they asked for." in html and "Enter the date the request was received." in html
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        f"/s/{school.slug}/data-protection/requests/new/",
        {
            "kind": "access",
            "requester_name": "A",
            "subject_name": "B",
            "details": "C",
            **date_data("received_on", tomorrow),
        },
    )
    assert response.status_code == 400
    assert "must be today or in the past" in response.content.decode()


def test_the_decision_is_recorded_with_its_date_once(client_for, school, head):
    rights_request = record(school, head, timezone.localdate() - datetime.timedelta(days=3))
    client = client_for(head)
    url = f"/s/{school.slug}/data-protection/requests/{rights_request.pk}/"
    response = client.post(
        url,
        {
            "decision": "partly",
            "notes": "Photos removed; the signed agreement is kept.",
            **date_data("decided_on", timezone.localdate()),
        },
    )
    assert response.status_code == 302
    rights_request.refresh_from_db()
    assert rights_request.decision == "partly"
    assert rights_request.decided_on == timezone.localdate() and rights_request.decided_by == head
    assert rights_request.decided_in_time
    page = client.get(url).content.decode()
    assert "Done in part" in page and "Record the decision" not in page
    with pytest.raises(Exception, match="already been decided"):
        services.decide_request(
            rights_request=rights_request, by=head, decision="refused", notes="x", decided_on=timezone.localdate()
        )


def test_request_step_warns_a_week_before_and_once_past():
    due = datetime.date(2027, 2, 28)
    assert request_step(due, datetime.date(2027, 2, 20)) is None
    assert request_step(due, datetime.date(2027, 2, 21)) == datetime.date(2027, 2, 21)
    assert request_step(due, datetime.date(2027, 2, 28)) == datetime.date(2027, 2, 21)
    assert request_step(due, datetime.date(2027, 3, 1)) == datetime.date(2027, 3, 1)
    assert request_step(due, datetime.date(2027, 4, 1)) == datetime.date(2027, 3, 1)


def test_the_head_is_reminded_once_a_week_before_the_deadline_and_once_when_it_passes(school, head, teacher):
    with time_machine.travel(uk(2027, 1, 31, 9, 0), tick=False):
        rights_request = record(school, head, datetime.date(2027, 1, 31))
    for day in (10, 20):  # before the warning: nothing
        with time_machine.travel(uk(2027, 2, day, 12, 0), tick=False):
            reminders.run_sweeps(school=school)
    assert not ReminderItem.objects.filter(kind=ReminderItem.Kind.PRIVACY).exists()
    for day in (21, 22, 25):  # the warning, sent once however often the sweep runs
        with time_machine.travel(uk(2027, 2, day, 12, 0), tick=False):
            reminders.run_sweeps(school=school)
            reminders.run_sweeps(school=school)
    (warning,) = ReminderItem.objects.filter(kind=ReminderItem.Kind.PRIVACY)
    assert warning.recipient == head and warning.due_on == datetime.date(2027, 2, 21)
    assert "must be answered by 28/02/2027" in warning.text
    assert "Amelia" not in warning.text and "Sarah" not in warning.text
    assert warning.action_url == f"/s/{school.slug}/data-protection/requests/{rights_request.pk}/"
    for day in (1, 2):
        with time_machine.travel(uk(2027, 3, day, 12, 0), tick=False):
            reminders.run_sweeps(school=school)
    assert ReminderItem.objects.filter(kind=ReminderItem.Kind.PRIVACY).count() == 2
    overdue = ReminderItem.objects.filter(kind=ReminderItem.Kind.PRIVACY).latest("due_on")
    assert "past its deadline" in overdue.text
    # Decided: no more reminders.
    with time_machine.travel(uk(2027, 3, 2, 12, 0), tick=False):
        services.decide_request(
            rights_request=rights_request,
            by=head,
            decision="granted",
            notes="Done.",
            decided_on=datetime.date(2027, 3, 2),
        )
    with time_machine.travel(uk(2027, 3, 9, 12, 0), tick=False):
        reminders.run_sweeps(school=school)
    assert ReminderItem.objects.filter(kind=ReminderItem.Kind.PRIVACY).count() == 2
    assert not ReminderItem.objects.filter(kind=ReminderItem.Kind.PRIVACY, recipient=teacher).exists()


def test_the_desk_shows_an_overdue_request_to_the_head_and_not_to_a_teacher(rf, school, head, teacher):
    record(school, head, timezone.localdate() - datetime.timedelta(days=40))
    record(school, head, timezone.localdate(), kind="access")
    request = rf.get("/")
    request.user = head
    items = [i for i in desk_for(request) if "data protection request" in i.title]
    assert [(i.title, i.urgency, i.count) for i in items] == [
        ("1 data protection request past the one-month deadline", OVERDUE, 1)
    ]
    request = rf.get("/")
    request.user = teacher
    assert not [i for i in desk_for(request) if "data protection" in i.title]
    assert WAITING  # the open, not-yet-due request alone would wait quietly
