"""Pupil outcomes: ICT access withdrawn until a date, seen by the pupil's teachers with
a neutral reason, and nothing of the incident."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import EntryKind, IctWithdrawal, IncidentEntry
from tests.factories import PupilFactory, SchoolClassFactory

from .conftest import report

pytestmark = pytest.mark.django_db

SECRET = "Unkind messages about a pupil in the class group chat."


def _in_a_week():
    return timezone.localdate() + datetime.timedelta(days=7)


def _withdraw(incident, by, pupil, **fields):
    values = {"until": _in_a_week(), "reason": "Following a breach of the school's ICT rules."}
    values.update(fields)
    return services.withdraw_ict_access(incident=incident, by=by, pupil=pupil, **values)


def test_the_dsl_withdraws_a_pupils_ict_access_from_the_incident_page(client_for, dsl, incident, pupil):
    until = _in_a_week()
    response = client_for(dsl).post(
        reverse("incidents:withdraw_ict", args=[incident.school.slug, incident.pk]),
        {"ict-pupil": pupil.pk, "ict-until": until.isoformat(), "ict-reason": "Following a breach of the rules."},
    )
    assert response.status_code == 302
    withdrawal = IctWithdrawal.objects.get()
    assert (withdrawal.pupil, withdrawal.until, withdrawal.incident) == (pupil, until, incident)
    entry = IncidentEntry.objects.get(incident=incident, kind=EntryKind.PUPIL_OUTCOME)
    assert entry.data["until"] == until.isoformat()
    page = client_for(dsl).get(reverse("incidents:detail", args=[incident.school.slug, incident.pk]))
    assert f"ICT access withdrawn until {until:%d/%m/%Y}" in page.content.decode()


def test_the_head_can_record_a_pupil_outcome_too(head, incident, pupil):
    assert _withdraw(incident, head, pupil).recorded_by == head


def test_the_esafety_lead_cannot_record_a_pupil_outcome(esafety_lead, incident, pupil):
    with pytest.raises(ValidationError):
        _withdraw(incident, esafety_lead, pupil)


def test_a_teacher_posting_the_outcome_form_gets_404(client_for, teacher, incident, pupil):
    response = client_for(teacher).post(
        reverse("incidents:withdraw_ict", args=[incident.school.slug, incident.pk]),
        {"ict-pupil": pupil.pk, "ict-until": _in_a_week().isoformat(), "ict-reason": "x"},
    )
    assert response.status_code == 404
    assert not IctWithdrawal.objects.exists()


def test_another_schools_head_gets_404_from_the_outcome_form(client_for, outsider, incident, pupil):
    response = client_for(outsider).post(
        reverse("incidents:withdraw_ict", args=[incident.school.slug, incident.pk]),
        {"ict-pupil": pupil.pk, "ict-until": _in_a_week().isoformat(), "ict-reason": "x"},
    )
    assert response.status_code == 404


def test_only_a_pupil_involved_in_the_incident_can_be_chosen(dsl, incident, school):
    stranger = PupilFactory(school=school)
    with pytest.raises(ValidationError) as error:
        _withdraw(incident, dsl, stranger)
    assert "pupil" in error.value.message_dict


def test_the_date_cannot_be_in_the_past_and_the_reason_cannot_name_the_incident(dsl, incident, pupil):
    with pytest.raises(ValidationError):
        _withdraw(incident, dsl, pupil, until=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        _withdraw(incident, dsl, pupil, reason=f"See {incident.reference}")
    with pytest.raises(ValidationError):
        _withdraw(incident, dsl, pupil, reason="   ")


def test_the_pupils_teacher_sees_the_withdrawal_on_the_pupil_pages_and_class_page_without_the_incident(
    client_for, teacher, dsl, school, school_class, pupil
):
    school_class.teachers.add(teacher.memberships.get(school=school))
    flagged = report(school, dsl, pupils=[pupil], description=SECRET, location="Room 12")
    services.triage(incident=flagged, by=dsl, severity="high", safeguarding=True)
    until = _in_a_week()
    _withdraw(flagged, dsl, pupil, until=until, reason="Following a breach of the school's ICT rules.")
    client = client_for(teacher)
    pages = [
        reverse("schools:pupils", args=[school.slug]),
        reverse("schools:pupil", args=[school.slug, pupil.pk]),
        reverse("agreements:class_agreements", args=[school.slug, school_class.pk]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert f"ICT access withdrawn until {until:%d/%m/%Y}" in html, url
        for secret in (SECRET, "Room 12", flagged.reference, f"/incidents/{flagged.pk}/", "Cyberbullying"):
            assert secret not in html, (url, secret)
    # and the incident itself stays closed to them
    response = client.get(reverse("incidents:detail", args=[school.slug, flagged.pk]))
    assert response.status_code == 404


def test_an_ended_withdrawal_is_no_longer_shown(
    client_for, teacher, dsl, school, school_class, pupil, incident, time_machine
):
    school_class.teachers.add(teacher.memberships.get(school=school))
    until = _in_a_week()
    _withdraw(incident, dsl, pupil, until=until)
    time_machine.move_to(until + datetime.timedelta(days=1))
    response = client_for(teacher).get(reverse("schools:pupil", args=[school.slug, pupil.pk]))
    assert response.status_code == 200
    assert "ICT access withdrawn" not in response.content.decode()


def test_a_withdrawal_shows_only_in_its_own_school(client_for, outsider, other_school, dsl, pupil, incident):
    _withdraw(incident, dsl, pupil)
    html = client_for(outsider).get(reverse("schools:pupils", args=[other_school.slug])).content.decode()
    assert "ICT access withdrawn" not in html


def test_the_pupil_list_reads_withdrawals_in_one_query_however_many(
    client_for, teacher, dsl, school, django_assert_max_num_queries
):
    school_class = SchoolClassFactory(school=school)
    school_class.teachers.add(teacher.memberships.get(school=school))
    pupils = [PupilFactory(school=school, school_class=school_class) for _ in range(6)]
    incident = report(school, dsl, pupils=pupils)
    client = client_for(teacher)
    url = reverse("schools:pupils", args=[school.slug])
    _withdraw(incident, dsl, pupils[0])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for p in pupils[1:]:
        _withdraw(incident, dsl, p)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert html.count("ICT access withdrawn until") == 6
    assert len(many) == len(one)
