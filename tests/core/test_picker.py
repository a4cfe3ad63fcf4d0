"""The picker's search endpoints and fields: scoped to the school and to what the
person may see, one page of matches in the same number of queries at 200 pupils as
at 20,000, ids of another school refused, and the incident log's pupil filter
searched instead of listed."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aup.models import Audience
from core.roles import Role
from core.tenancy import school_access
from devices import services as devices
from incidents.forms import ReportForm, TriageForm
from incidents.models import Incident
from schools.models import Pupil
from schools.selectors import pupils_visible_to
from tests.agreements.signing_helpers import publish_form_for, publish_staff_form
from tests.conftest import make_member
from tests.devices.conftest import make_device, membership_of
from tests.factories import GuardianshipFactory, PupilFactory, SchoolClassFactory


def search(client, name, school, **params):
    return client.get(reverse(name, args=[school.slug]), params)


def bulk_pupils(school, school_class, count, start=0):
    Pupil.objects.bulk_create(
        Pupil(
            school=school,
            school_class=school_class,
            year_group=school_class.year_group,
            first_name=f"Child{start + n}",
            last_name="Bulk",
        )
        for n in range(count)
    )


def test_pupil_search_answers_one_page_in_the_same_queries_at_200_and_20000_pupils(
    school, office, school_class, client_for, django_assert_num_queries
):
    client = client_for(office)
    bulk_pupils(school, school_class, 200)
    search(client, "schools:search_pupils", school, q="child")  # the session's first request does more
    with CaptureQueriesContext(connection) as few:
        small = search(client, "schools:search_pupils", school, q="child bulk")
    bulk_pupils(school, school_class, 19_800, start=200)
    with django_assert_num_queries(len(few.captured_queries)):
        large = search(client, "schools:search_pupils", school, q="child bulk")
    assert len(small.json()["results"]) == len(large.json()["results"]) == 20
    assert large.json()["more"] is True


def test_a_teacher_finds_only_the_pupils_of_their_own_classes(school, pupil, school_class, client_for):
    teacher = make_member(school, Role.TEACHER)
    school_class.teachers.add(membership_of(teacher, school))
    birch = SchoolClassFactory(school=school, name="Birch")
    PupilFactory(school=school, school_class=birch, first_name="Amelia", last_name="Birchall")
    found = search(client_for(teacher), "schools:search_pupils", school, q="amelia").json()["results"]
    assert [row["label"] for row in found] == ["Amelia Khan"]
    assert found[0]["hint"] == "Oak"


def test_another_schools_people_see_nothing_and_find_nothing(school, pupil, outsider, other_school, client_for):
    client = client_for(outsider)
    for name in ("schools:search_pupils", "schools:search_staff", "schools:search_carers", "devices:search"):
        assert search(client, name, school, q="a").status_code == 404
    # At their own school the same words do not reach this school's pupils.
    assert search(client, "schools:search_pupils", other_school, q="amelia").json()["results"] == []


@pytest.mark.parametrize(
    "role, name",
    [
        (Role.SUPPORT_STAFF, "schools:search_pupils"),
        (Role.GOVERNOR, "schools:search_staff"),
        (Role.TEACHER, "schools:search_carers"),
        (Role.TEACHER, "devices:search"),
        (Role.OFFICE, "aup:search_statements"),
    ],
)
def test_a_role_without_the_capability_cannot_search(role, name, school, client_for):
    assert search(client_for(make_member(school, role)), name, school, q="a").status_code == 404


def test_carers_are_found_by_name_with_their_child(school, office, pupil, client_for):
    carer = make_member(school, Role.PARENT, user__first_name="Sarah", user__last_name="Jones")
    GuardianshipFactory(pupil=pupil, carer=carer, relationship="mother")
    without = make_member(school, Role.PARENT, user__first_name="Sam", user__last_name="Jones")
    GuardianshipFactory(pupil=pupil, carer=without, parental_responsibility=False)
    found = search(client_for(office), "schools:search_carers", school, q="jones").json()["results"]
    assert [row["label"] for row in found] == ["Sarah Jones for Amelia Khan"]


def test_a_scanned_asset_tag_finds_exactly_one_device(school, office, client_for):
    make_device(school, "tablet", asset_tag="OAK-1")
    make_device(school, "tablet", asset_tag="OAK-10")
    client = client_for(office)
    assert len(search(client, "devices:search", school, q="oak-1").json()["results"]) == 2
    exact = search(client, "devices:search", school, q="oak-1", exact="1").json()["results"]
    assert [row["hint"] for row in exact] == ["asset tag OAK-1"]


def test_statements_are_found_in_full_grouped_by_policy(school, head, dsl, client_for):
    form = publish_staff_form(school, head)
    statement = form.statements.order_by("number").last()
    words = " ".join(statement.text.split()[:2])
    found = search(client_for(dsl), "aup:search_statements", school, q=words).json()["results"]
    row = next(r for r in found if r["id"] == statement.pk)
    assert row["label"] == f"{statement.number}. {statement.text}"
    assert form.version.policy.title in row["group"]


def test_a_report_naming_a_pupil_of_another_school_is_refused(school, office, other_school):
    stranger = PupilFactory(school=other_school)
    access = school_access(office, school)
    form = ReportForm(
        {
            "category": "virus",
            "occurred_at": "2026-01-05T10:00",
            "description": "x",
            "submission_key": "k",
            "pupils": [str(stranger.pk)],
        },
        access=access,
    )
    assert not form.is_valid()
    assert form.errors["pupils"] == ["Choose pupils from the list."]


def test_the_search_button_without_javascript_shows_matches_and_files_nothing(school, office, pupil, client_for):
    response = client_for(office).post(
        reverse("incidents:report", args=[school.slug]),
        {"pupils__q": "khan", "picker_search": "pupils", "submission_key": "k"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and not response.context["form"].errors
    assert f'name="pupils" value="{pupil.pk}"' in page and "Amelia Khan" in page
    assert not Incident.objects.exists()


def test_triage_will_not_take_a_pupil_off_a_safeguarding_record_without_a_tick(school, head, pupil):
    from incidents import services
    from tests.incidents.conftest import report

    reporter = make_member(school, Role.TEACHER)
    incident = services.triage(
        incident=report(school, reporter, pupils=[pupil]), by=head, severity="high", safeguarding=True
    )
    access = school_access(head, school)
    data = {"triage-severity": "high", "triage-category": incident.category, "triage-safeguarding": "on"}
    form = TriageForm(data, access=access, incident=incident)
    assert not form.is_valid()
    assert "Amelia Khan would be taken off this safeguarding record" in form.errors["pupils"][0]
    confirmed = TriageForm({**data, "triage-confirm_unlink": "on"}, access=access, incident=incident)
    assert confirmed.is_valid(), confirmed.errors


def test_the_log_filter_is_searched_and_takes_the_same_queries_at_200_and_20000_pupils(
    school, head, pupil, school_class, client_for, django_assert_num_queries
):
    client = client_for(head)
    url = reverse("incidents:log", args=[school.slug])
    bulk_pupils(school, school_class, 200)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        small = client.get(url, {"pupil": pupil.pk})
    bulk_pupils(school, school_class, 19_800, start=200)
    with django_assert_num_queries(len(few.captured_queries)):
        large = client.get(url, {"pupil": pupil.pk})
    assert "Child19999" not in large.content.decode()
    assert small.status_code == large.status_code == 200


def test_a_refused_loan_names_the_agreement_and_the_office_emails_it(school, head, office, client_for):
    publish_form_for(school, head, Audience.LOANS, title="Equipment loans")
    staff_form = publish_staff_form(school, head)
    devices.save_settings(
        school=school, by=head, laptops_must_be_encrypted=False, staff_must_have_signed_agreement=True
    )
    tom = make_member(school, Role.TEACHER, user__first_name="Tom", user__last_name="Baker")
    laptop = make_device(school, "laptop", asset_tag="OAK-7")
    client = client_for(office)
    lend = reverse("devices:lend", args=[school.slug])
    member = membership_of(tom, school)
    response = client.post(lend, {"devices": [laptop.pk], "borrower": member.pk, "until_leaving": "on"})
    assert response.status_code == 400
    title = staff_form.version.policy.title
    error = response.context["form"].errors["borrower"][0]
    assert error.startswith(f"Tom Baker has not signed {title}, version {staff_form.version.number} (published ")
    page = response.content.decode()
    assert reverse("devices:send_agreement", args=[school.slug]) in page
    sent = client.post(
        reverse("devices:send_agreement", args=[school.slug]),
        {"membership": member.pk, "form": staff_form.pk, "device": [laptop.pk]},
    )
    assert sent.status_code == 302 and f"device={laptop.pk}" in sent.url and f"borrower={member.pk}" in sent.url
    assert mail.outbox[-1].to == [tom.email]
    assert reverse("agreements:sign", args=[school.slug, staff_form.pk]) in mail.outbox[-1].body
    # The lend page comes back with the device and the borrower still chosen.
    again = client.get(sent.url).content.decode()
    assert f'value="{laptop.pk}"' in again and "Tom Baker" in again


def test_a_pupils_loan_refused_for_the_pupil_lands_beside_the_carer_choice(school, head, office, pupil, client_for):
    publish_form_for(school, head, Audience.LOANS, title="Equipment loans")
    carer = make_member(school, Role.PARENT)
    link = GuardianshipFactory(pupil=pupil, carer=carer)
    tablet = make_device(school, "tablet")
    lend = reverse("devices:lend", args=[school.slug])
    from schools.models import Guardianship

    Guardianship.objects.filter(pk=link.pk).update(parental_responsibility=False)
    response = client_for(office).post(lend, {"devices": [tablet.pk], "guardianship": link.pk, "until_leaving": "on"})
    assert response.status_code == 400
    assert "guardianship" in response.context["form"].errors


def test_visibility_is_the_selectors(school, teacher, pupil):
    # The pupil picker and the pupil pages read the same rule.
    access = school_access(teacher, school)
    assert list(pupils_visible_to(access)) == []
