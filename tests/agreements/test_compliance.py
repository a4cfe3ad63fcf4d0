"""The head's view: signed and outstanding per published staff form, by type of
staff, with a drill-down to the people and a CSV export that a spreadsheet reads as
text."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.downloads import csv_safe
from core.roles import Role
from tests.conftest import make_member
from tests.factories import MembershipFactory, UserFactory

from .signing_helpers import publish_new_version, publish_staff_form, sign_as

pytestmark = pytest.mark.django_db


def dashboard(school):
    return reverse("agreements:compliance", args=[school.slug])


def test_the_head_sees_signed_and_outstanding_by_type_of_staff(client_for, school, head):
    form = publish_staff_form(school, head)
    teachers = [make_member(school, Role.TEACHER, staff_type="teaching") for _ in range(3)]
    make_member(school, Role.SUPPORT_STAFF, staff_type="support")
    sign_as(form, teachers[0])
    sign_as(form, teachers[1])
    response = client_for(head).get(dashboard(school))
    assert response.status_code == 200
    (result,) = response.context["results"]
    groups = {g.label: (g.signed, g.outstanding) for g in result.groups}
    assert groups["Teaching staff"] == (2, 1)
    assert groups["Support staff"] == (0, 1)
    assert result.overall.signed == 2
    page = response.content.decode()
    assert "67% signed" in page  # the chart's text alternative
    assert "bar__fill--65" in page
    assert reverse("agreements:compliance_form", args=[school.slug, form.pk]) in page


def test_a_replaced_version_is_not_on_the_dashboard(client_for, school, head):
    form = publish_staff_form(school, head)
    new_form = publish_new_version(form, head)
    results = client_for(head).get(dashboard(school)).context["results"]
    assert [r.form for r in results] == [new_form]


def test_the_drill_down_lists_outstanding_and_signed_people_with_the_date(client_for, school, head):
    form = publish_staff_form(school, head)
    signer = make_member(school, Role.TEACHER, user__first_name="Ada", user__last_name="Signer")
    waiting = make_member(school, Role.TEACHER, user__first_name="Bo", user__last_name="Waiting")
    signature = sign_as(form, signer)
    response = client_for(head).get(reverse("agreements:compliance_form", args=[school.slug, form.pk]))
    assert response.status_code == 200
    assert [r.membership.user for r in response.context["signed"]] == [signer]
    assert waiting in [r.membership.user for r in response.context["outstanding"]]
    page = response.content.decode()
    assert "Signer, Ada" in page and "Waiting, Bo" in page
    assert f"{timezone.localtime(signature.signed_at):%d/%m/%Y}" in page  # UK dates


@pytest.mark.parametrize("role", [Role.DEPUTY, Role.BUSINESS_MANAGER])
def test_leaders_with_the_capability_open_the_dashboard(client_for, school, head, role):
    publish_staff_form(school, head)
    assert client_for(make_member(school, role)).get(dashboard(school)).status_code == 200


def test_the_trust_officer_opens_the_dashboard(client_for, school, head, trust_officer):
    publish_staff_form(school, head)
    assert client_for(trust_officer).get(dashboard(school)).status_code == 200


@pytest.mark.parametrize("role", [Role.TEACHER, Role.OFFICE, Role.DSL])
def test_other_staff_cannot_open_the_dashboard_or_its_pages(client_for, school, head, role):
    form = publish_staff_form(school, head)
    client = client_for(make_member(school, role))
    assert client.get(dashboard(school)).status_code == 404
    assert client.get(reverse("agreements:compliance_form", args=[school.slug, form.pk])).status_code == 404
    assert client.get(reverse("agreements:compliance_csv", args=[school.slug, form.pk])).status_code == 404


def test_a_form_of_another_school_is_not_found_on_the_dashboard(client_for, school, head, other_school):
    form = publish_staff_form(school, head)
    outsider = make_member(other_school, Role.HEADTEACHER)
    for name in ("agreements:compliance_form", "agreements:compliance_csv"):
        assert client_for(outsider).get(reverse(name, args=[other_school.slug, form.pk])).status_code == 404


def test_the_nav_has_an_agreements_link_for_people_who_can_see_compliance(client_for, school, head, teacher):
    link = f'href="{dashboard(school)}"'
    assert link in client_for(head).get(reverse("schools:home", args=[school.slug])).content.decode()
    assert link not in client_for(teacher).get(reverse("schools:home", args=[school.slug])).content.decode()


# --- CSV --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Smith", "Smith"),
        ("O'Neil = fine", "O'Neil = fine"),
        ("", ""),
        (None, ""),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_start_with_an_apostrophe(value, expected):
    assert csv_safe(value) == expected


def test_the_csv_export_escapes_names_and_lists_everyone(client_for, school, head):
    form = publish_staff_form(school, head)
    sneaky = make_member(school, Role.TEACHER, user__first_name='=HYPERLINK("http://x")', user__last_name="@Evil")
    plain = make_member(school, Role.TEACHER, user__first_name="Ada", user__last_name="Lovelace")
    signature = sign_as(form, plain)
    response = client_for(head).get(reverse("agreements:compliance_csv", args=[school.slug, form.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:2] == ["Last name", "First name"]
    by_email = {row[2]: row for row in rows[1:]}
    assert by_email[sneaky.email][:2] == ["'@Evil", '\'=HYPERLINK("http://x")']
    assert by_email[plain.email][5] == "Signed"
    assert by_email[plain.email][7] == signature.verification_code
    assert by_email[head.email][5] == "Outstanding"


# --- Query counts -----------------------------------------------------------------------


def _school_with_staff(school, head, count):
    form = publish_staff_form(school, head)
    second = publish_staff_form(school, head, title="Mobile phones", staff_types=["teaching"])
    for i in range(count):
        membership = MembershipFactory(
            school=school, user=UserFactory(), roles=[Role.TEACHER], staff_type=["teaching", "support"][i % 2]
        )
        if i % 3 == 0:
            sign_as(form, membership.user)
            sign_as(second, membership.user)
    return form


def _queries(client, url):
    client.get(url)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["dashboard", "form", "csv", "person"])
def test_compliance_pages_take_the_same_number_of_queries_for_10_and_100_staff(
    client_for, school, head, page, django_assert_num_queries
):
    form = _school_with_staff(school, head, 10)
    client = client_for(head)
    membership = head.memberships.get()

    def url():
        return {
            "dashboard": dashboard(school),
            "form": reverse("agreements:compliance_form", args=[school.slug, form.pk]),
            "csv": reverse("agreements:compliance_csv", args=[school.slug, form.pk]),
            "person": reverse("agreements:person", args=[school.slug, membership.pk]),
        }[page]

    with_10 = _queries(client, url())
    for _ in range(90):
        MembershipFactory(school=school, roles=[Role.SUPPORT_STAFF], staff_type="support")
    for user in UserFactory.create_batch(5):
        MembershipFactory(school=school, user=user, roles=[Role.TEACHER], staff_type="teaching")
        sign_as(form, user)
    client.get(url())
    with django_assert_num_queries(with_10):
        client.get(url())
