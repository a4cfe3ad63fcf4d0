"""The privacy notice (public, per school, edited by those who manage the school's
settings) and who may open each data protection page: the head and the trust's
officers, never another school's people, nor staff without the capability."""

import pytest
from django.urls import reverse

from core.roles import Cap, Role, capabilities_for
from core.tenancy import school_view
from privacy import services
from privacy.models import PrivacyNotice, SubjectAccessExport
from privacy.urls import school_patterns
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


def test_the_privacy_notice_is_public_and_starts_from_a_sensible_default(client, school):
    response = client.get(f"/privacy/{school.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "How we use your personal data" in html
    assert f"{school.name} is the data controller" in html
    for words in (
        "lawful basis",
        "How long we keep it",
        "Your rights",
        "Information Commissioner",
        "data protection officer",
    ):
        assert words.lower() in html.lower()


def test_each_school_has_its_own_notice(client, school, other_school, head):
    services.save_notice(
        school=school,
        by=head,
        body="## Oakfield's notice\nWe keep little.",
        dpo_name="Dana Officer",
        dpo_email="dpo@oakfield.example",
    )
    oak = client.get(f"/privacy/{school.slug}/").content.decode()
    elm = client.get(f"/privacy/{other_school.slug}/").content.decode()
    assert "We keep little." in oak and "dpo@oakfield.example" in oak and "<h2>Oakfield&#x27;s notice</h2>" in oak
    assert "We keep little." not in elm and f"{other_school.name} is the data controller" in elm
    assert client.get("/privacy/no-such-school/").status_code == 404


def test_the_notice_cannot_carry_html(client, school, head):
    services.save_notice(school=school, by=head, body="<script>alert(1)</script>", dpo_name="", dpo_email="")
    html = client.get(f"/privacy/{school.slug}/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_the_head_edits_the_notice_and_a_teacher_cannot(client_for, school, head, teacher):
    url = f"/s/{school.slug}/privacy-notice/"
    client = client_for(head)
    page = client.get(url).content.decode()
    assert "suggested text" in page and "is the data controller" in page
    response = client.post(
        url, {"dpo_name": "Dana Officer", "dpo_email": "dpo@example.org", "body": "## Hello\nOur notice."}
    )
    assert response.status_code == 302
    notice = PrivacyNotice.objects.get(school=school)
    assert notice.body == "## Hello\nOur notice." and notice.updated_by == head
    assert client_for(teacher).get(url).status_code == 404


def test_the_footer_and_the_family_forms_link_to_the_notice(client_for, school, head, pupil, parent):
    from aup.models import Audience
    from tests.agreements.signing_helpers import publish_form_for
    from tests.consent.helpers import published_form

    link = f'href="/privacy/{school.slug}/"'
    assert link in client_for(head).get(f"/s/{school.slug}/").content.decode()
    parents_form = publish_form_for(school, head, Audience.PARENTS, title="Parents' ICT agreement")
    published_form(school, head)
    client = client_for(parent)
    signing = client.get(f"/family/sign/{parents_form.pk}/")
    assert signing.status_code == 200 and link in signing.content.decode()
    consent = client.get(f"/family/consent/children/{pupil.pk}/")
    assert consent.status_code == 200 and link in consent.content.decode()


def test_the_list_page_reads_in_a_fixed_number_of_queries(client_for, school, head, pupil):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(head)
    url = f"/s/{school.slug}/data-protection/"

    def add(n):
        for i in range(n):
            services.record_request(
                school=school,
                by=head,
                kind="erasure",
                requester_name=f"R{i}",
                requester_relationship="",
                subject_name="S",
                received_on=datetime.date(2026, 11, 1),
                details="D",
            )
            SubjectAccessExport.objects.create(
                school=school, subject_kind="pupil", pupil=pupil, subject_name="S", requested_by=head
            )

    add(2)
    client.get(url)  # the session's first request records where it is signed in
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), "\n".join(q["sql"][:150] for q in large.captured_queries)


# --- who may open each page -------------------------------------------------------------


@pytest.fixture
def objects(school, head, pupil):
    from django.db import transaction

    rights_request = services.record_request(
        school=school,
        by=head,
        kind="access",
        requester_name="A",
        requester_relationship="",
        subject_name="B",
        received_on=pupil.admission_date or __import__("datetime").date(2026, 1, 5),
        details="C",
    )
    with transaction.atomic():
        export = SubjectAccessExport.objects.create(
            school=school, subject_kind="pupil", pupil=pupil, subject_name=pupil.full_name, requested_by=head
        )
    return {"rights_request_id": rights_request.pk, "export_id": export.pk}


def _urls(school, objects):
    found = []
    for pattern in school_patterns:
        kwargs = {"school_slug": school.slug}
        for name in ("rights_request_id", "export_id"):
            if f"<int:{name}>" in str(pattern.pattern):
                kwargs[name] = objects[name]
        found.append((pattern.name, reverse(f"privacy:{pattern.name}", kwargs=kwargs)))
    return found


def test_every_page_is_guarded_by_school_view():
    for pattern in school_patterns:
        assert getattr(pattern.callback, "required_capability", None), pattern.name


def test_only_the_head_and_dpo_like_roles_handle_subject_access():
    assert Cap.HANDLE_SUBJECT_ACCESS in capabilities_for([Role.HEADTEACHER])
    assert Cap.HANDLE_SUBJECT_ACCESS in capabilities_for([Role.TRUST_OFFICER])
    for role in (Role.DEPUTY, Role.DSL, Role.OFFICE, Role.TEACHER, Role.BUSINESS_MANAGER, Role.GOVERNOR, Role.PARENT):
        assert Cap.HANDLE_SUBJECT_ACCESS not in capabilities_for([role]), role


@pytest.mark.parametrize("role", [Role.TEACHER, Role.DSL, Role.OFFICE, Role.DEPUTY, Role.GOVERNOR, Role.PARENT])
def test_staff_without_the_capability_see_nothing(client_for, school, objects, role):
    client = client_for(make_member(school, role))
    for name, url in _urls(school, objects):
        if name == "notice_edit" and role == Role.DEPUTY:
            continue  # the deputy manages the school's settings
        response = client.post(url) if name == "export_download" else client.get(url)
        assert response.status_code == 404, (role, name, response.status_code)


def test_another_schools_head_sees_nothing_even_through_their_own_school(
    client_for, school, other_school, objects, outsider
):
    client = client_for(outsider)
    for name, url in _urls(school, objects):
        response = client.post(url) if name == "export_download" else client.get(url)
        assert response.status_code == 404, name
    # Their own school's address with this school's ids: still nothing.
    for name, url in _urls(other_school, objects):
        if name in ("request", "export", "export_download"):
            response = client.post(url) if name == "export_download" else client.get(url)
            assert response.status_code == 404, name


def test_the_trust_officer_and_the_head_open_every_page(client_for, school, objects, head, trust_officer):
    for user in (head, trust_officer):
        client = client_for(user)
        for name, url in _urls(school, objects):
            if name in ("export_download", "notice_edit"):
                continue
            assert client.get(url).status_code == 200, (user, name)


def test_signing_in_without_the_second_step_is_sent_for_the_code(client, school, objects, head):
    client.force_login(head)  # password only: no second step recorded
    response = client.get(f"/s/{school.slug}/data-protection/")
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_school_view_is_what_guards_them():
    assert school_view  # imported for the reader: each view above is decorated with it
