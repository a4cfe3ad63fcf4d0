"""The incident log: filters, pages and a number of queries that does not grow."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, IncidentEntry
from tests.factories import PupilFactory, UserFactory


def make_incidents(school, count, *, pupil=None, start=0):
    reporter = UserFactory()
    now = timezone.now()
    made = Incident.objects.bulk_create(
        Incident(
            school=school,
            reference=f"INC-2026-{start + n + 1:04d}",
            reported_by=reporter,
            reported_at=now - datetime.timedelta(days=n),
            submission_key=f"bulk-{start + n}",
            occurred_at=now - datetime.timedelta(days=n),
            description="Something happened.",
            category="virus" if n % 2 else "cyberbullying",
            status="closed" if n % 3 == 0 else "reported",
            outcome="Done" if n % 3 == 0 else "",
            closed_by=reporter if n % 3 == 0 else None,
            closed_at=now if n % 3 == 0 else None,
            investigator=reporter,
        )
        for n in range(count)
    )
    if pupil is not None:
        # As the report service does: the entry first, recording the pupil, which the
        # database then lets be linked (incidents 0006).
        IncidentEntry.objects.bulk_create(
            IncidentEntry(incident=i, kind="reported", author=reporter, data={"pupil_ids": [pupil.pk]}) for i in made
        )
        for incident in made:
            incident.pupils.add(pupil)
    return made


def log(client, school, **params):
    return client.get(reverse("incidents:log", args=[school.slug]), params)


FILTERS = [
    {},
    {"category": "virus"},
    {"status": "open"},
    {"status": "closed"},
    {"reported_from": "2020-01-01", "reported_to": "2099-12-31"},
]


@pytest.mark.parametrize("params", FILTERS)
def test_the_log_takes_the_same_number_of_queries_for_many_incidents(
    params, school, head, client_for, django_assert_num_queries
):
    client = client_for(head)
    make_incidents(school, 3)
    log(client, school)  # the first request of a session does more (the session, two-step sign-in)
    with CaptureQueriesContext(connection) as few:
        assert log(client, school, **params).status_code == 200
    make_incidents(school, 160, start=3)
    with django_assert_num_queries(len(few.captured_queries)):
        response = log(client, school, **params)
    assert len(response.context["incidents"]) == min(50, response.context["page"].paginator.count)
    assert response.context["page"].paginator.count > 50


def test_the_log_filters_by_pupil_in_constant_queries(school, head, pupil, client_for, django_assert_num_queries):
    client = client_for(head)
    make_incidents(school, 2, pupil=pupil)
    log(client, school)
    with CaptureQueriesContext(connection) as few:
        log(client, school, pupil=pupil.pk)
    make_incidents(school, 60, pupil=pupil, start=2)
    make_incidents(school, 10, pupil=PupilFactory(school=school), start=62)
    with django_assert_num_queries(len(few.captured_queries)):
        response = log(client, school, pupil=pupil.pk)
    assert response.context["page"].paginator.count == 62


def test_the_log_filters_by_category_status_and_date(school, head, client_for):
    make_incidents(school, 10)
    client = client_for(head)
    virus = log(client, school, category="virus").context["page"].paginator.count
    assert virus == 5
    assert log(client, school, status="closed").context["page"].paginator.count == 4
    today = timezone.localdate()
    recent = log(client, school, reported_from=(today - datetime.timedelta(days=2)).isoformat())
    assert recent.context["page"].paginator.count == 3


def test_the_log_pages_keep_their_filters(school, head, client_for):
    make_incidents(school, 120)
    response = log(client_for(head), school, category="virus")
    body = response.content.decode()
    assert "category=virus&amp;page=2" in body
    page_two = log(client_for(head), school, category="virus", page=2)
    assert {i.category for i in page_two.context["incidents"]} == {"virus"}


def test_the_log_does_not_show_another_schools_pupil_filter(school, other_school, head, client_for):
    stranger = PupilFactory(school=other_school)
    make_incidents(school, 2)
    response = log(client_for(head), school, pupil=stranger.pk)
    # An unknown pupil is not a filter: the form is invalid and the whole log shows.
    assert not response.context["filters"].is_valid()
