"""Who sees which pupils (issue 14): a teacher sees the pupils of the classes they
teach; the whole school's pupils and their UPNs are for the office, the business
manager, leaders, the DSL and the e-safety lead. Support staff see no pupil list."""

import pytest
from django.urls import reverse

from core.roles import ROLE_CAPABILITIES, SENSITIVE_CAPABILITIES, Cap, Role
from incidents.models import Incident
from tests.conftest import make_member
from tests.factories import PupilFactory, SchoolClassFactory


def url(school, page=""):
    return f"/s/{school.slug}/{page}"


def html(response) -> str:
    return response.content.decode()


def teaches(user, school, *classes):
    membership = user.memberships.get(school=school)
    for school_class in classes:
        school_class.teachers.add(membership)


@pytest.fixture
def birch(school):
    """Another class of the school, with a pupil the teacher of Oak does not teach."""
    return SchoolClassFactory(school=school, name="Birch")


@pytest.fixture
def zachary(school, birch):
    return PupilFactory(school=school, school_class=birch, first_name="Zachary", last_name="Birchall")


@pytest.fixture
def oak_teacher(school, school_class):
    user = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Shah")
    teaches(user, school, school_class)
    return user


# --- the capability table ----------------------------------------------------------------


def test_a_teacher_sees_pupils_but_not_the_whole_school():
    assert Cap.VIEW_PUPILS in ROLE_CAPABILITIES[Role.TEACHER]
    assert Cap.VIEW_ALL_PUPILS not in ROLE_CAPABILITIES[Role.TEACHER]


def test_support_staff_see_no_wider_than_a_teacher():
    assert not {Cap.VIEW_PUPILS, Cap.VIEW_ALL_PUPILS} & ROLE_CAPABILITIES[Role.SUPPORT_STAFF]


@pytest.mark.parametrize(
    "role",
    [Role.OFFICE, Role.BUSINESS_MANAGER, Role.HEADTEACHER, Role.DEPUTY, Role.DSL, Role.DEPUTY_DSL, Role.ESAFETY_LEAD],
)
def test_the_roles_whose_job_needs_them_see_the_whole_schools_pupils(role):
    assert {Cap.VIEW_PUPILS, Cap.VIEW_ALL_PUPILS} <= ROLE_CAPABILITIES[role]


@pytest.mark.parametrize(
    "capability",
    [
        Cap.MANAGE_PUPILS,
        Cap.IMPORT_ROSTER,
        Cap.TRIAGE_INCIDENTS,
        Cap.VIEW_INCIDENT_LOG,
        Cap.VIEW_CONSENT_RECORDS,
        Cap.VIEW_COMPLIANCE,
        Cap.MANAGE_PEOPLE,
    ],
)
def test_every_role_whose_pages_list_the_whole_school_also_sees_all_pupils(capability):
    """These pages pick or list pupils from the whole school (the triage form, the
    log's filter, the roster, the compliance dashboard, the paper form), so whoever
    holds the capability must hold VIEW_ALL_PUPILS too."""
    for role, capabilities in ROLE_CAPABILITIES.items():
        if capability in capabilities:
            assert Cap.VIEW_ALL_PUPILS in capabilities, f"{role} has {capability} but not {Cap.VIEW_ALL_PUPILS}"


def test_seeing_the_whole_schools_pupils_needs_two_step_sign_in():
    assert Cap.VIEW_ALL_PUPILS in SENSITIVE_CAPABILITIES


# --- the pupil list and records ------------------------------------------------------------


def test_a_teacher_does_not_see_pupils_of_another_class_in_the_pupil_list(
    school, school_class, pupil, zachary, oak_teacher, client_for
):
    page = html(client_for(oak_teacher).get(url(school, "pupils/")))
    assert "Khan, Amelia" in page
    assert "Birchall" not in page and "Birch (" not in page


def test_a_teacher_cannot_list_a_class_they_do_not_teach(school, birch, zachary, oak_teacher, client_for):
    response = client_for(oak_teacher).get(url(school, "pupils/"), {"class": birch.pk})
    assert response.status_code == 404
    assert "Birchall" not in html(response)


def test_a_teacher_cannot_open_the_record_of_a_pupil_in_another_class(school, zachary, oak_teacher, client_for):
    response = client_for(oak_teacher).get(url(school, f"pupils/{zachary.pk}/"))
    assert response.status_code == 404
    assert "Birchall" not in html(response)


def test_a_teacher_cannot_open_the_record_of_a_pupil_with_no_class(school, oak_teacher, client_for):
    unplaced = PupilFactory(school=school, school_class=None, last_name="Unplaced")
    assert client_for(oak_teacher).get(url(school, f"pupils/{unplaced.pk}/")).status_code == 404


def test_a_teacher_of_no_class_sees_no_pupils(school, pupil, teacher, client_for):
    browser = client_for(teacher)
    page = html(browser.get(url(school, "pupils/")))
    assert "Khan" not in page
    assert "You are not a teacher of any class yet" in page
    assert browser.get(url(school, f"pupils/{pupil.pk}/")).status_code == 404


def test_a_teacher_sees_their_own_pupils_record_without_the_upn(school, pupil, oak_teacher, client_for):
    response = client_for(oak_teacher).get(url(school, f"pupils/{pupil.pk}/"))
    assert response.status_code == 200
    assert "Amelia Khan" in html(response)
    assert pupil.upn and pupil.upn not in html(response)
    assert "UPN" not in html(response)


def test_a_teacher_never_sees_a_upn_in_their_class_list(school, pupil, oak_teacher, client_for, school_class):
    page = html(client_for(oak_teacher).get(url(school, "pupils/"), {"class": school_class.pk}))
    assert "Khan, Amelia" in page and pupil.upn not in page


@pytest.mark.parametrize("role", [Role.OFFICE, Role.HEADTEACHER, Role.DSL])
def test_the_office_the_head_and_the_dsl_see_every_pupil_with_their_upn(role, school, pupil, zachary, client_for):
    browser = client_for(make_member(school, role))
    page = html(browser.get(url(school, "pupils/")))
    assert "Khan, Amelia" in page and "Birchall, Zachary" in page
    for someone in (pupil, zachary):
        record = browser.get(url(school, f"pupils/{someone.pk}/"))
        assert record.status_code == 200
        assert someone.upn in html(record)


def test_a_teachers_school_page_counts_and_lists_only_their_classes(
    school, school_class, pupil, zachary, oak_teacher, client_for
):
    page = html(client_for(oak_teacher).get(url(school)))
    assert '<span class="stat__number">1</span> pupil in your classes' in page
    assert "Your classes" in page and "Birch" not in page


def test_support_staff_open_no_pupil_list_or_record(school, school_class, pupil, client_for):
    assistant = make_member(school, Role.SUPPORT_STAFF)
    school_class.teachers.add(assistant.memberships.get(school=school))  # even linked to the class
    browser = client_for(assistant)
    assert browser.get(url(school, "pupils/")).status_code == 404
    assert browser.get(url(school, f"pupils/{pupil.pk}/")).status_code == 404


# --- reporting an incident ----------------------------------------------------------------


def report_data(**extra):
    return {
        "category": "cyberbullying",
        "occurred_at": "2026-01-05T10:15",
        "description": "Unkind messages in the class group chat.",
        "submission_key": "visibility",
        **extra,
    }


def test_a_teacher_picks_only_their_own_pupils_when_reporting_and_names_others_in_words(
    school, pupil, zachary, oak_teacher, client_for
):
    browser = client_for(oak_teacher)
    form = html(browser.get(reverse("incidents:report", args=[school.slug])))
    assert f'value="{pupil.pk}"' in form and "Amelia Khan" in form
    assert f'value="{zachary.pk}"' not in form and "Birchall" not in form
    assert "Other pupils and anyone else involved (optional)" in form

    response = browser.post(
        reverse("incidents:report", args=[school.slug]),
        report_data(pupils=[pupil.pk], others_involved="Zachary Birchall (Birch)"),
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert list(incident.pupils.all()) == [pupil]
    assert incident.others_involved == "Zachary Birchall (Birch)"


def test_a_teacher_cannot_link_a_pupil_of_another_class_to_a_report(school, pupil, zachary, oak_teacher, client_for):
    response = client_for(oak_teacher).post(
        reverse("incidents:report", args=[school.slug]), report_data(pupils=[zachary.pk])
    )
    assert response.status_code == 400
    assert "pupils" in response.context["form"].errors
    assert not Incident.objects.exists()


@pytest.mark.parametrize("role", [Role.SUPPORT_STAFF, Role.VOLUNTEER, Role.VISITOR])
def test_someone_who_sees_no_pupils_reports_with_no_list_of_pupils(role, school, pupil, client_for):
    browser = client_for(make_member(school, role))
    form = html(browser.get(reverse("incidents:report", args=[school.slug])))
    assert "Khan" not in form and f'value="{pupil.pk}"' not in form
    assert "Pupils and anyone else involved (optional)" in form
    response = browser.post(
        reverse("incidents:report", args=[school.slug]),
        report_data(pupils=[pupil.pk], others_involved="Amelia Khan (Oak)"),
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert not incident.pupils.exists()  # the DSL links the pupil when triaging
    assert incident.others_involved == "Amelia Khan (Oak)"


def test_a_teacher_still_sees_the_pupils_named_in_an_incident_they_reported(school, zachary, oak_teacher, client_for):
    from tests.incidents.conftest import report

    incident = report(school, oak_teacher, pupils=[zachary])
    page = html(client_for(oak_teacher).get(reverse("incidents:detail", args=[school.slug, incident.pk])))
    assert "Zachary Birchall" in page
    assert zachary.upn not in page


def test_the_dsl_picks_from_the_whole_school_when_reporting(school, pupil, zachary, dsl, client_for):
    form = html(client_for(dsl).get(reverse("incidents:report", args=[school.slug])))
    assert f'value="{pupil.pk}"' in form and f'value="{zachary.pk}"' in form
    assert "Anyone else involved (optional)" in form


# --- photo consent ------------------------------------------------------------------------


def test_the_whole_schools_consent_spreadsheet_is_not_for_a_teacher(school, oak_teacher, office, client_for):
    export = reverse("consent:export", args=[school.slug])
    assert client_for(oak_teacher).get(export).status_code == 404
    assert client_for(office).get(export).status_code == 200
