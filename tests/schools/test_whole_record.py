"""A person's whole record (issue 17): each section of a pupil's page appears exactly
for the roles whose capabilities open the page it links to; nothing crosses schools;
incidents flagged safeguarding only for the DSL and the head; the page reads in the same
number of queries for 3 records of each kind as for 30; the family view of a child for
the parent (their own children only) and for staff; the head keeps her own role."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import ROLE_CAPABILITIES, Cap, Role
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory, SchoolClassFactory

from . import record_builders as build


def html(response) -> str:
    return response.content.decode()


def membership_of(user, school):
    return user.memberships.get(school=school)


@pytest.fixture
def record(school, school_class, pupil, parent):
    """One of each thing a pupil's record shows, and the pages they link to."""
    form = build.published_form(school, "parents", title="Home-school agreement")
    build.sign_for(form, pupil, parent)
    build.published_form(school, "ks2", title="Our ICT rules")
    build.consent_answers(pupil, parent, 2)
    build.phone_requests(pupil, parent, 1)
    build.loans(pupil, parent, 1)
    build.posts(pupil, 1)
    ordinary = build.incident(school, pupils=[pupil], reference="INC-2026-0101")
    restricted = build.incident(school, pupils=[pupil], safeguarding=True, reference="INC-2026-0202")
    from consent.models import PlannedPost
    from devices.models import Loan

    slug = school.slug
    return {
        "pupil": pupil,
        "url": reverse("schools:pupil", args=[slug, pupil.pk]),
        # section anchor -> the page it links to
        "links": {
            "record-carers": reverse("schools:parents", args=[slug]),
            "record-agreements": reverse("agreements:class_agreements", args=[slug, school_class.pk]),
            "record-consent": reverse("consent:class_sheet", args=[slug, school_class.pk]),
            "record-phone": reverse("consent:phones", args=[slug]),
            "record-devices": reverse("devices:loan", args=[slug, Loan.objects.get(pupil=pupil).pk]),
            "record-posts": reverse("consent:post", args=[slug, PlannedPost.objects.get(pupils=pupil).pk]),
            "record-incidents": reverse("incidents:log", args=[slug]) + f"?pupil={pupil.pk}",
        },
        # text only shown with a page's capability -> that page
        "details": {
            '<th scope="col">History</th>': reverse("consent:pupil", args=[slug, pupil.pk]),
            # The carers' signatures for the pupil: the compliance dashboard's.
            "Home-school agreement": reverse("agreements:compliance_form", args=[slug, form.pk]),
            ordinary.reference: reverse("incidents:detail", args=[slug, ordinary.pk]),
            restricted.reference: reverse("incidents:detail", args=[slug, restricted.pk]),
        },
    }


ROLES_WITH_THE_RECORD = [
    Role.HEADTEACHER,
    Role.DEPUTY,
    Role.DSL,
    Role.DEPUTY_DSL,
    Role.ESAFETY_LEAD,
    Role.BUSINESS_MANAGER,
    Role.OFFICE,
    Role.TEACHER,
    Role.TRUST_OFFICER,
]


@pytest.fixture
def person_with(school, school_class, trust_officer):
    def make(role):
        if role == Role.TRUST_OFFICER:
            return trust_officer
        user = make_member(school, role)
        if role == Role.TEACHER:
            school_class.teachers.add(membership_of(user, school))
        return user

    return make


@pytest.mark.parametrize("role", ROLES_WITH_THE_RECORD)
def test_each_section_of_a_pupils_record_appears_exactly_when_its_linked_page_opens(
    role, record, person_with, client_for
):
    browser = client_for(person_with(role))
    response = browser.get(record["url"])
    assert response.status_code == 200
    page = html(response)
    shown = {}
    for marker, linked in [*record["links"].items(), *record["details"].items()]:
        opens = browser.get(linked).status_code == 200
        present = f'id="{marker}"' in page if marker.startswith("record-") else marker in page
        shown[marker] = present
        assert present == opens, f"{role}: {marker} shown={present}, but its page {linked} opens={opens}"
    # And the matrix is not trivial: the head sees everything, the teacher little.
    if role == Role.HEADTEACHER:
        assert all(shown.values())
    if role == Role.TEACHER:
        assert {m for m, s in shown.items() if s} == {"record-agreements", "record-consent", "record-posts"}


@pytest.mark.parametrize("role", ROLES_WITH_THE_RECORD)
def test_incidents_flagged_safeguarding_are_on_the_record_only_for_the_dsl_and_the_head(
    role, record, person_with, client_for
):
    page = html(client_for(person_with(role)).get(record["url"]))
    sees_restricted = Cap.VIEW_SAFEGUARDING_INCIDENTS in ROLE_CAPABILITIES[role]
    assert ("INC-2026-0202" in page) == sees_restricted
    assert sees_restricted == (role in {Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL})
    assert ("INC-2026-0101" in page) == (Cap.VIEW_INCIDENT_LOG in ROLE_CAPABILITIES[role])


def test_an_incident_naming_the_dsl_among_the_staff_is_not_on_the_record_she_reads(school, pupil, dsl, client_for):
    build.incident(school, pupils=[pupil], staff=[membership_of(dsl, school)], reference="INC-2026-0303")
    page = html(client_for(dsl).get(reverse("schools:pupil", args=[school.slug, pupil.pk])))
    assert 'id="record-incidents"' in page
    assert "INC-2026-0303" not in page


@pytest.mark.parametrize("role", [Role.SUPPORT_STAFF, Role.GOVERNOR, Role.ICT_MANAGER, Role.VOLUNTEER])
def test_roles_that_see_no_pupils_do_not_open_the_record(role, school, record, client_for):
    response = client_for(make_member(school, role)).get(record["url"])
    assert response.status_code == 404
    assert record["pupil"].last_name not in html(response)


def test_a_teacher_of_another_class_does_not_open_the_record(school, record, client_for):
    teacher = make_member(school, Role.TEACHER)
    SchoolClassFactory(school=school, name="Birch").teachers.add(membership_of(teacher, school))
    assert client_for(teacher).get(record["url"]).status_code == 404


def test_the_record_of_another_schools_pupil_is_not_found(school, other_school, head, client_for):
    theirs = PupilFactory(school=other_school, school_class=SchoolClassFactory(school=other_school))
    build.incident(other_school, pupils=[theirs], reference="INC-2026-0909")
    browser = client_for(head)
    for name in ("schools:pupil", "schools:pupil_family"):
        response = browser.get(reverse(name, args=[school.slug, theirs.pk]))
        assert response.status_code == 404
        assert theirs.last_name not in html(response)
        assert "INC-2026-0909" not in html(response)


def test_the_record_shows_a_summary_at_the_top_and_flags_what_needs_attention(school, record, head, client_for):
    page = html(client_for(head).get(record["url"]))
    glance = page[page.index("At a glance") : page.index('id="record-carers"')]
    assert "1 carer, 1 with parental responsibility" in glance
    assert "1 signed, 1 outstanding" in glance
    assert "2 incidents, 2 open" in glance
    assert "Waiting for the head" in glance  # the phone request
    assert "record-glance--attention" in glance


def test_the_carers_section_flags_who_holds_parental_responsibility(school, pupil, parent, office, client_for):
    GuardianshipFactory(pupil=pupil, relationship="father", parental_responsibility=False)
    page = html(client_for(office).get(reverse("schools:pupil", args=[school.slug, pupil.pk])))
    carers = page[page.index('id="record-carers"') :]
    assert carers.count('<span class="badge badge--yes">Yes</span>') >= 1
    assert '<span class="badge badge--no">No</span>' in carers
    assert parent.email in carers


# --- A fixed number of queries ----------------------------------------------------------


def _queries(browser, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(url).status_code == 200
    return len(queries)


def test_the_pupils_record_reads_in_the_same_number_of_queries_for_3_and_30_records(
    school, pupil, parent, head, client_for, django_assert_num_queries
):
    build.whole_record(pupil, parent, 3)
    browser = client_for(head)
    url = reverse("schools:pupil", args=[school.slug, pupil.pk])
    browser.get(url)  # warm: the session, the content types
    few = _queries(browser, url)
    build.whole_record(pupil, parent, 27)
    with django_assert_num_queries(few):
        response = browser.get(url)
    page = html(response)
    assert "30 signed, 0 outstanding" in page and "30 incidents" in page and "30 posts" in page
    assert "30 devices held" in page


def test_a_staff_record_reads_in_the_same_number_of_queries_for_3_and_30_loans_and_incidents(
    school, teacher, head, client_for, django_assert_num_queries
):
    membership = membership_of(teacher, school)
    build.staff_loans(membership, 3)
    for _ in range(3):
        build.incident(school, staff=[membership])
    browser = client_for(head)
    url = reverse("schools:person", args=[school.slug, membership.pk])
    browser.get(url)
    few = _queries(browser, url)
    build.staff_loans(membership, 27)
    for _ in range(27):
        build.incident(school, staff=[membership])
    with django_assert_num_queries(few):
        page = html(browser.get(url))
    assert "30 devices held" in page and "30 incidents" in page


def test_the_family_view_reads_in_the_same_number_of_queries_for_3_and_30_records(
    school, pupil, parent, client_for, django_assert_num_queries
):
    build.whole_record(pupil, parent, 3)
    browser = client_for(parent)
    url = reverse("family:child", args=[pupil.pk])
    browser.get(url)
    few = _queries(browser, url)
    build.whole_record(pupil, parent, 27)
    with django_assert_num_queries(few):
        browser.get(url)


# --- A member of staff's record -----------------------------------------------------------


def test_a_staff_record_shows_agreements_exemptions_equipment_and_incidents_to_the_head(
    school, teacher, head, client_for
):
    from aup.models import Exemption, Policy

    membership = membership_of(teacher, school)
    build.published_form(school, "staff", title="Staff ICT agreement")
    build.staff_loans(membership, 1)
    Exemption.objects.create(
        school=school,
        requested_by=teacher,
        policy=Policy.objects.create(school=school, title="Phones"),
        purpose="x" * 20,
    )
    build.incident(school, staff=[membership], reference="INC-2026-0404")
    page = html(client_for(head).get(reverse("schools:person", args=[school.slug, membership.pk])))
    for anchor in ("record-agreements", "record-exemptions", "record-devices", "record-incidents"):
        assert f'id="{anchor}"' in page
    assert "0 signed, 1 outstanding" in page
    assert "Staff ICT agreement" in page and "INC-2026-0404" in page


def test_the_office_sees_a_staff_members_equipment_but_not_their_agreements_or_incidents(
    school, teacher, office, client_for
):
    membership = membership_of(teacher, school)
    build.staff_loans(membership, 1)
    build.incident(school, staff=[membership], reference="INC-2026-0505")
    page = html(client_for(office).get(reverse("schools:person", args=[school.slug, membership.pk])))
    assert 'id="record-devices"' in page
    assert 'id="record-agreements"' not in page and 'id="record-exemptions"' not in page
    assert "INC-2026-0505" not in page


def test_the_head_cannot_remove_her_own_headteacher_role_and_the_form_says_why(school, head, client_for):
    membership = membership_of(head, school)
    response = client_for(head).post(
        reverse("schools:person_roles", args=[school.slug, membership.pk]), {"roles": [Role.DEPUTY]}
    )
    assert response.status_code == 400
    assert "You can&#x27;t remove your own Headteacher role" in html(response)
    assert membership.role_codes == [Role.HEADTEACHER]


def test_another_leader_removes_the_heads_headteacher_role(school, head, deputy, client_for):
    membership = membership_of(head, school)
    response = client_for(deputy).post(
        reverse("schools:person_roles", args=[school.slug, membership.pk]), {"roles": [Role.TEACHER]}
    )
    assert response.status_code == 302
    assert membership_of(head, school).role_codes == [Role.TEACHER]


# --- The family view of a child ---------------------------------------------------------


def test_a_parent_opens_the_family_view_of_their_own_child(school, record, parent, client_for):
    response = client_for(parent).get(reverse("family:child", args=[record["pupil"].pk]))
    assert response.status_code == 200
    page = html(response)
    for anchor in ("record-agreements", "record-consent", "record-phone", "record-devices"):
        assert f'id="{anchor}"' in page
    # Never the school's own records.
    assert "INC-2026" not in page and 'id="record-posts"' not in page


def test_a_parent_cannot_open_the_family_view_of_another_child(school, school_class, parent, client_for):
    someone_else = PupilFactory(school=school, school_class=school_class, last_name="Otherchild")
    GuardianshipFactory(pupil=someone_else)
    response = client_for(parent).get(reverse("family:child", args=[someone_else.pk]))
    assert response.status_code == 404
    assert "Otherchild" not in html(response)


def test_a_parent_cannot_open_a_child_of_another_school(other_school, parent, client_for):
    theirs = PupilFactory(school=other_school, last_name="Elsewhere")
    assert client_for(parent).get(reverse("family:child", args=[theirs.pk])).status_code == 404


def test_a_parent_who_has_left_the_school_no_longer_opens_the_childs_view(school, pupil, parent, client_for):
    membership_of(parent, school).__class__.objects.filter(user=parent, school=school).update(status="left")
    assert client_for(parent).get(reverse("family:child", args=[pupil.pk])).status_code == 404


def test_staff_see_the_same_family_view_the_parent_sees(school, record, parent, head, client_for):
    pupil = record["pupil"]
    as_parent = html(client_for(parent).get(reverse("family:child", args=[pupil.pk])))
    response = client_for(head).get(reverse("schools:pupil_family", args=[school.slug, pupil.pk]))
    assert response.status_code == 200
    as_head = html(response)

    def anchors(page):
        return [part.split('"')[0] for part in page.split('class="record-section" id="')[1:]]

    assert (
        anchors(as_head)
        == anchors(as_parent)
        == ["record-agreements", "record-consent", "record-phone", "record-devices"]
    )
    assert parent.full_name in as_head


def test_staff_without_the_parents_records_do_not_open_the_family_view(school, school_class, record, client_for):
    teacher = make_member(school, Role.TEACHER)
    school_class.teachers.add(membership_of(teacher, school))
    url = reverse("schools:pupil_family", args=[school.slug, record["pupil"].pk])
    assert client_for(teacher).get(url).status_code == 404


def test_the_family_view_of_a_carer_of_another_pupil_is_not_found(school, school_class, record, head, client_for):
    someone_else = PupilFactory(school=school, school_class=school_class)
    stranger = GuardianshipFactory(pupil=someone_else).carer
    url = reverse("schools:pupil_family", args=[school.slug, record["pupil"].pk]) + f"?carer={stranger.pk}"
    response = client_for(head).get(url)
    assert response.status_code == 404
    assert stranger.full_name not in html(response)


def test_the_office_sees_the_family_view_without_the_parts_its_role_may_not_see(school, record, client_for):
    """The office keeps phones, devices and consent records but not the compliance
    dashboard: the agreements part is left out, as its staff page would refuse."""
    office = make_member(school, Role.OFFICE)
    page = html(client_for(office).get(reverse("schools:pupil_family", args=[school.slug, record["pupil"].pk])))
    assert 'id="record-agreements"' not in page
    assert 'id="record-consent"' in page and 'id="record-phone"' in page
