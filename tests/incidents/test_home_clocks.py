"""The head's home pages show the 72-hour clocks of open personal data breaches."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import services

from .conftest import report

pytestmark = pytest.mark.django_db

HEADING = "Personal data breaches: time left to decide on reporting to the ICO"


def _breach(school, by):
    return report(school, by, category="data_sent_in_error", personal_data_breach=True)


@pytest.mark.parametrize("page", ["core:home", "schools:home"])
def test_the_head_sees_the_time_left_on_their_home_pages(client_for, head, school, reporter, page, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
    breach = _breach(school, reporter)
    time_machine.move_to(datetime.datetime(2026, 3, 3, 9, 0, tzinfo=datetime.UTC), tick=False)
    url = reverse(page) if page == "core:home" else reverse(page, args=[school.slug])
    html = client_for(head).get(url).content.decode()
    assert HEADING in html
    assert breach.reference in html
    assert "2 days left" in html
    assert "Thursday 5 March 2026 at 09:00 GMT" in html


@pytest.mark.parametrize("who", ["dsl", "teacher", "esafety_lead", "governor"])
def test_only_people_who_triage_see_the_clocks(client_for, request, school, reporter, who):
    _breach(school, reporter)
    user = request.getfixturevalue(who)
    for url in (reverse("core:home"), reverse("schools:home", args=[school.slug])):
        html = client_for(user).get(url).content.decode()
        assert (HEADING in html) is (who == "dsl"), (who, url)


def test_a_decided_breach_leaves_the_panel(client_for, head, school, reporter):
    breach = _breach(school, reporter)
    services.record_ico_decision(incident=breach, by=head, decision="not_reported", reason="Low risk; recovered.")
    html = client_for(head).get(reverse("schools:home", args=[school.slug])).content.decode()
    assert HEADING not in html


def test_another_schools_breach_is_not_shown(client_for, outsider, school, reporter):
    _breach(school, reporter)
    html = client_for(outsider).get(reverse("core:home")).content.decode()
    assert HEADING not in html


def test_the_panel_takes_the_same_number_of_queries_however_many_breaches(client_for, head, school, reporter):
    client = client_for(head)
    urls = [reverse("core:home"), reverse("schools:home", args=[school.slug])]
    _breach(school, reporter)
    for url in urls:
        client.get(url)
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as one:
            client.get(url)
        counts.append(len(one))
    for _ in range(5):
        _breach(school, reporter)
    for url, before in zip(urls, counts, strict=True):
        with CaptureQueriesContext(connection) as many:
            html = client.get(url).content.decode()
        assert html.count("; deadline") == 6
        assert len(many) == before, url


def test_a_breach_naming_the_dsl_among_the_staff_is_not_on_their_home_page(client_for, head, school, reporter):
    from core.roles import Role
    from tests.conftest import make_member

    dsl_and_named = make_member(school, Role.DSL)
    breach = _breach(school, reporter)
    services.triage(
        incident=breach,
        by=head,
        severity="high",
        safeguarding=False,
        staff=[dsl_and_named.memberships.get(school=school)],
    )
    assert HEADING not in client_for(dsl_and_named).get(reverse("core:home")).content.decode()
    assert breach.reference in client_for(head).get(reverse("core:home")).content.decode()
