"""The governors' termly summary: numbers with no names, the trend against earlier
terms, as a page and a PDF."""

import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from incidents import services
from incidents.summary import Term, termly_summary

from .conftest import report


def summary_url(school, term=""):
    return reverse("incidents:summary", args=[school.slug]) + (f"?term={term}" if term else "")


def pdf_url(school, term=""):
    return reverse("incidents:summary_pdf", args=[school.slug]) + (f"?term={term}" if term else "")


@pytest.fixture
def autumn(school, reporter, head, dsl, pupil):
    """Three incidents in the autumn term 2026 and one the summer before."""
    with time_machine.travel("2026-06-10 10:00 +01:00", tick=False):
        report(school, reporter, category="virus")
    with time_machine.travel("2026-10-05 10:00 +01:00", tick=False):
        first = report(school, reporter, pupils=[pupil])
        report(school, reporter, pupils=[pupil], category="data_sent_in_error", personal_data_breach=True)
        services.triage(incident=first, by=head, severity="high", safeguarding=True)
        services.add_entry(
            incident=first, by=dsl, kind="referral", text="Rang", referred_to="lado", reference_number="LADO-REF-4417"
        )
    with time_machine.travel("2026-12-31 23:30 +00:00", tick=False):
        report(school, reporter, pupils=[pupil], category="cyberbullying")
    with time_machine.travel("2027-01-01 00:30 +00:00", tick=False):
        report(school, reporter)  # spring term: not counted in autumn


def test_terms_follow_the_school_year():
    assert Term.containing(datetime.date(2026, 9, 1)) == Term(2026, "autumn")
    assert Term.containing(datetime.date(2027, 3, 31)) == Term(2027, "spring")
    assert Term.containing(datetime.date(2027, 4, 1)) == Term(2027, "summer")
    assert Term(2026, "autumn").previous() == Term(2026, "summer")
    assert Term(2027, "spring").previous() == Term(2026, "autumn")
    assert Term(2026, "autumn").ends_on == datetime.date(2026, 12, 31)
    assert Term.from_key("2026-autumn") == Term(2026, "autumn")
    assert Term.from_key("nonsense") is None


def test_the_summary_counts_by_kind_severity_outcome_and_referral(school, autumn):
    summary = termly_summary(school, Term(2026, "autumn"))
    assert summary["total"] == 3
    assert dict(summary["by_category"]) == {"Cyberbullying": 2, "Personal data sent in error": 1}
    assert dict(summary["by_severity"])["High"] == 1
    assert dict(summary["by_severity"])["Not triaged yet"] == 2
    assert dict(summary["referrals"])["Local authority designated officer (LADO)"] == 1
    assert (summary["safeguarding"], summary["breaches"]) == (1, 1)
    trend = dict((t.key, n) for t, n in summary["trend"])
    assert trend["2026-summer"] == 1 and trend["2026-autumn"] == 3
    assert len(trend) == 6


def test_a_governor_sees_the_summary_with_no_names(school, governor, reporter, autumn, client_for):
    response = client_for(governor).get(summary_url(school, "2026-autumn"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Autumn term 2026" in body
    for name in ("Amelia Khan", "Amelia K", reporter.last_name, "LADO-REF-4417"):
        assert name not in body


def test_the_pdf_holds_the_numbers_and_no_names(school, governor, reporter, autumn, client_for):
    response = client_for(governor).get(pdf_url(school, "2026-autumn"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Autumn term 2026" in text
    assert "Cyberbullying" in text
    for name in ("Amelia Khan", "Amelia K", reporter.last_name):
        assert name not in text


@pytest.mark.parametrize("who", ["teacher", "parent", "outsider", "office"])
def test_the_summary_is_not_found_for_people_without_it(who, request, school, client_for):
    user = request.getfixturevalue(who)
    assert client_for(user).get(summary_url(school)).status_code == 404
    assert client_for(user).get(pdf_url(school)).status_code == 404


def test_a_governor_still_cannot_open_an_incident_or_the_log(school, governor, incident, client_for):
    client = client_for(governor)
    assert client.get(reverse("incidents:detail", args=[school.slug, incident.pk])).status_code == 404
    assert client.get(reverse("incidents:log", args=[school.slug])).status_code == 404


def test_the_summary_takes_the_same_number_of_queries_however_many_incidents(
    school, governor, reporter, client_for, django_assert_num_queries
):
    client = client_for(governor)
    client.get(summary_url(school))
    report(school, reporter)
    with CaptureQueriesContext(connection) as few:
        client.get(summary_url(school))
    for _ in range(10):
        report(school, reporter, category="virus")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(summary_url(school))
