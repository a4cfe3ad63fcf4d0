"""The head's policy pages, step by step; everyone else sees nothing."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aup import services
from aup.models import AgreementForm, Audience, ChangeLogEntry, Policy, PolicyVersion, VersionStatus
from core.roles import Role
from tests.conftest import make_member, sign_in_with_mfa
from tests.docx import docx_bytes
from tests.policy_helpers import POLICY_TEXT

from .conftest import approve_and_publish


def url(name, school, *args):
    return reverse(f"aup:{name}", args=[school.slug, *args])


def version_details(**overrides):
    data = {
        "adopted_on": "2026-09-01",
        "reviewed_on": "2026-07-01",
        "next_review_on": "2027-07-01",
        "review_every_years": "1",
        "responsible": "",
        "statutory": "on",
        "body": "Pupils use the school's computers for learning.",
    }
    return {**data, **overrides}


def test_the_policy_list_shows_each_policy_with_its_published_version_and_review_date(
    school, head, client_for, published
):
    # A published version is read-only to the services: set its review date directly.
    PolicyVersion.objects.filter(pk=published.pk).update(next_review_on=datetime.date(2027, 7, 1))
    services.create_policy(school=school, title="Mobile phones", kind="mobile_phones", by=head)
    response = client_for(head).get(url("policies", school))
    html = response.content.decode()
    assert response.status_code == 200
    assert "ICT acceptable use" in html and "Mobile phones" in html
    assert "01/07/2027" in html
    assert "Published" in html and "Draft" in html
    assert "New policy" in html


def test_the_policy_list_does_not_grow_in_queries_with_its_policies(
    school, head, client_for, django_assert_max_num_queries
):
    client = client_for(head)
    services.create_policy(school=school, title="One", kind="other", by=head)
    client.get(url("policies", school))
    with CaptureQueriesContext(connection) as one:
        client.get(url("policies", school))
    for n in range(5):
        services.create_policy(school=school, title=f"Policy {n}", kind="other", by=head)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url("policies", school))


def test_the_head_creates_a_policy_with_starting_forms(school, head, client_for):
    response = client_for(head).post(
        url("policy_create", school),
        {"title": "Social media", "kind": "social_media", "audiences": ["staff", "parents"]},
    )
    version = PolicyVersion.objects.get(policy__school=school, policy__title="Social media")
    assert response.status_code == 302 and response.url == url("version", school, version.pk)
    assert version.status == VersionStatus.DRAFT
    assert sorted(version.forms.values_list("audience", flat=True)) == ["parents", "staff"]


def test_creating_a_policy_without_a_title_re_renders_with_the_error(school, head, client_for):
    response = client_for(head).post(url("policy_create", school), {"title": "", "kind": "other"})
    assert response.status_code == 400
    assert "Enter the title" in response.content.decode()
    assert not Policy.objects.exists()


def test_the_deputy_can_open_the_policies_too(school, deputy, client_for):
    assert client_for(deputy).get(url("policies", school)).status_code == 200


@pytest.mark.parametrize("role", [Role.OFFICE, Role.TEACHER])
def test_office_and_teachers_get_not_found_on_every_policy_page(school, draft, client, role):
    sign_in_with_mfa(client, make_member(school, role))
    for path in [
        url("policies", school),
        url("policy_create", school),
        url("policy", school, draft.policy_id),
        url("version", school, draft.pk),
        url("form_edit", school, draft.pk, "staff"),
        url("publish", school, draft.pk),
    ]:
        assert client.get(path).status_code == 404, path
    assert client.post(url("approve", school, draft.pk), {}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_the_head_saves_the_versions_details(school, head, client_for, draft):
    responsible = make_member(school, Role.TEACHER)
    response = client_for(head).post(url("version", school, draft.pk), version_details(responsible=responsible.pk))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.adopted_on == datetime.date(2026, 9, 1)
    assert draft.next_review_on == datetime.date(2027, 7, 1)
    assert draft.statutory and draft.responsible == responsible
    assert draft.body.startswith("Pupils use")


def test_the_person_responsible_must_be_staff_of_this_school(school, head, client_for, draft, outsider):
    parent = make_member(school, Role.PARENT)
    for person in (parent, outsider):
        response = client_for(head).post(url("version", school, draft.pk), version_details(responsible=person.pk))
        assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.responsible == head and draft.adopted_on is None


@pytest.mark.parametrize(
    ("name", "content"),
    [("policy.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), ("policy.docx", None)],
)
def test_the_head_uploads_the_policy_document_and_downloads_it(school, head, client_for, draft, name, content):
    content = content or docx_bytes()
    client = client_for(head)
    data = version_details(document=SimpleUploadedFile(name, content))
    assert client.post(url("version", school, draft.pk), data).status_code == 302
    draft.refresh_from_db()
    assert draft.document_name == name
    response = client.get(url("version_document", school, draft.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert name in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("policy.pdf", b"Just some text, not a PDF at all.", "is not a PDF document"),
        ("policy.docx", b"PK but not really a zip file", "is not a Word document"),
        ("policy.exe", b"%PDF-1.7", "PDF (.pdf) or Word (.docx)"),
    ],
)
def test_an_upload_that_is_not_what_it_claims_is_refused_beside_the_field(
    school, head, client_for, draft, name, content, message
):
    data = version_details(adopted_on="2020-01-01", document=SimpleUploadedFile(name, content))
    response = client_for(head).post(url("version", school, draft.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="id_document_error"' in html
    draft.refresh_from_db()
    assert not draft.document and draft.adopted_on is None  # nothing saved


def test_a_docx_zip_without_a_word_document_inside_is_refused(school, head, client_for, draft):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    data = version_details(document=SimpleUploadedFile("policy.docx", buffer.getvalue()))
    response = client_for(head).post(url("version", school, draft.pk), data)
    assert response.status_code == 400 and "is not a Word document" in response.content.decode()


def test_a_document_over_10_mb_is_refused(school, head, client_for, draft):
    big = SimpleUploadedFile("policy.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))
    response = client_for(head).post(url("version", school, draft.pk), version_details(document=big))
    assert response.status_code == 400 and "larger than 10 MB" in response.content.decode()


def test_a_version_without_a_document_has_nothing_to_download(school, head, client_for, draft):
    assert client_for(head).get(url("version_document", school, draft.pk)).status_code == 404


def test_the_head_edits_the_staff_form(school, head, client_for, draft):
    client = client_for(head)
    page = client.get(url("form_edit", school, draft.pk, "staff"))
    assert page.status_code == 200 and "Keep my passwords private" in page.content.decode()
    response = client.post(
        url("form_edit", school, draft.pk, "staff"),
        {
            "title": "Staff ICT agreement",
            "intro": "Please read.",
            "statements": "I will lock my screen.\n\n  I will report incidents.  \n",
            "staff_types": ["teaching", "support"],
        },
    )
    assert response.status_code == 302
    form = draft.forms.get(audience="staff")
    assert form.title == "Staff ICT agreement"
    assert [s.text for s in form.statements.all()] == ["I will lock my screen.", "I will report incidents."]
    assert form.staff_types == ["teaching", "support"]
    assert not form.every_academic_year


def test_a_form_without_statements_re_renders_with_the_error(school, head, client_for, draft):
    before = draft.forms.get(audience="staff").canonical_text()
    response = client_for(head).post(
        url("form_edit", school, draft.pk, "staff"), {"title": "Staff", "statements": "  \n \n"}
    )
    assert response.status_code == 400
    assert 'id="id_statements_error"' in response.content.decode()
    assert draft.forms.get(audience="staff").canonical_text() == before


def test_the_head_adds_a_form_for_another_audience_and_removes_one(school, head, client_for, draft):
    client = client_for(head)
    page = client.get(url("form_edit", school, draft.pk, "visitors"))
    assert page.status_code == 200 and "Which staff sign" not in page.content.decode()
    client.post(url("form_edit", school, draft.pk, "visitors"), {"title": "Visitors", "statements": "I will."})
    assert draft.forms.filter(audience="visitors").exists()
    confirm = client.get(url("form_remove", school, draft.pk, "ks2"))
    assert (
        confirm.status_code == 200 and "Remove the form for pupils who sign for themselves" in confirm.content.decode()
    )
    assert draft.forms.filter(audience="ks2").exists()
    client.post(url("form_remove", school, draft.pk, "ks2"))
    assert sorted(draft.forms.values_list("audience", flat=True)) == ["staff", "visitors"]


def test_an_unknown_audience_is_not_found(school, head, client_for, draft):
    assert client_for(head).get(url("form_edit", school, draft.pk, "aliens")).status_code == 404


def test_the_head_adds_a_change_log_entry(school, head, client_for, draft):
    response = client_for(head).post(
        url("change_add", school, draft.pk),
        {"date": "2026-09-01", "section": "Page 4", "change": "Added mobile phones.", "agreed_by": "FGB"},
    )
    assert response.status_code == 302
    entry = ChangeLogEntry.objects.get(version=draft)
    assert entry.section == "Page 4"
    assert "Added mobile phones." in client_for(head).get(url("version", school, draft.pk)).content.decode()


def test_a_change_without_details_re_renders_with_errors(school, head, client_for, draft):
    response = client_for(head).post(url("change_add", school, draft.pk), {"date": "2026-09-01"})
    assert response.status_code == 400
    assert not ChangeLogEntry.objects.exists()


def test_the_head_approves_goes_back_to_draft_approves_again_and_publishes(school, head, client_for, draft):
    client = client_for(head)
    approval = {
        "approved_on": "2026-09-10",
        "chair": "Ruth Lee",
        "chair_signed_on": "2026-09-10",
        "head": "Sam Cole",
        "head_signed_on": "2026-09-11",
    }
    assert client.post(url("approve", school, draft.pk), approval).status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.APPROVED and draft.approved_by_chair == "Ruth Lee"

    assert client.post(url("back_to_draft", school, draft.pk)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    client.post(url("approve", school, draft.pk), approval)

    confirm = client.get(url("publish", school, draft.pk))
    assert confirm.status_code == 200 and "Publish version 1" in confirm.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.APPROVED  # looking at the confirmation publishes nothing

    assert client.post(url("publish", school, draft.pk)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert all(f.text_sha256 for f in AgreementForm.objects.filter(version=draft))


def test_approval_without_the_chairs_name_re_renders_with_the_error(school, head, client_for, draft):
    response = client_for(head).post(url("approve", school, draft.pk), {"approved_on": "2026-09-10", "head": "Sam"})
    assert response.status_code == 400
    assert 'id="id_chair_error"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_approval_of_a_version_without_forms_says_why(school, head, client_for):
    version = services.create_policy(school=school, title="E-safety", kind="esafety", audiences=[], by=head)
    response = client_for(head).post(
        url("approve", school, version.pk),
        {
            "approved_on": "2026-09-10",
            "chair": "Ruth Lee",
            "chair_signed_on": "2026-09-10",
            "head": "Sam Cole",
            "head_signed_on": "2026-09-10",
        },
    )
    assert response.status_code == 400
    assert "Version 1 can&#x27;t be approved yet: " in response.content.decode()
    assert "add at least one agreement form." in response.content.decode()


def test_a_draft_cannot_be_published(school, head, client_for, draft):
    response = client_for(head).post(url("publish", school, draft.pk), follow=True)
    assert "Only an approved version can be published" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_published_version_shows_read_only_and_refuses_changes(school, head, client_for, published):
    client = client_for(head)
    html = client.get(url("version", school, published.pk)).content.decode()
    assert "can't be changed" in html
    assert "Save details" not in html and "Edit the form" not in html and "Record approval" not in html
    assert "Start a new version" in html

    response = client.post(url("version", school, published.pk), version_details(body="Changed"), follow=True)
    assert "can't be changed" in response.content.decode()
    assert client.get(url("form_edit", school, published.pk, "staff")).status_code == 302
    client.post(url("form_edit", school, published.pk, "staff"), {"title": "X", "statements": "I will."})
    client.post(url("form_remove", school, published.pk, "staff"))
    client.post(
        url("change_add", school, published.pk),
        {"date": "2026-09-01", "section": "4", "change": "x", "agreed_by": "FGB"},
    )
    published.refresh_from_db()
    assert published.body == POLICY_TEXT
    assert published.forms.get(audience="staff").title != "X"
    assert not published.change_log.exists()


def test_the_head_starts_a_new_version_and_sees_what_changed_in_a_form(school, head, client_for, published):
    client = client_for(head)
    response = client.post(url("version_start", school, published.policy_id))
    second = PolicyVersion.objects.get(policy=published.policy, number=2)
    assert response.status_code == 302 and response.url == url("version", school, second.pk)
    old_first = published.forms.get(audience="staff").statements.first().text
    client.post(
        url("form_edit", school, second.pk, "staff"),
        {"title": published.forms.get(audience="staff").title, "statements": f"{old_first}\nI will wear a badge."},
    )
    html = client.get(url("version", school, second.pk)).content.decode()
    assert "Changes to the wording since version 1" in html
    assert "<ins>2. I will wear a badge.</ins>" in html
    assert "<del>2. Keep my passwords private" in html

    # A second draft is refused, with a message.
    response = client.post(url("version_start", school, published.policy_id), follow=True)
    assert "not published yet" in response.content.decode()
    assert published.policy.versions.count() == 2


def test_a_superseded_version_stays_readable(school, head, client_for, published):
    second = services.start_new_version(policy=published.policy, by=head)
    approve_and_publish(second, head)
    html = client_for(head).get(url("version", school, published.pk)).content.decode()
    assert "Superseded" in html and "Start a new version" not in html


def test_the_policy_page_lists_its_versions(school, head, client_for, published):
    html = client_for(head).get(url("policy", school, published.policy_id)).content.decode()
    assert "Version 1" in html and "Published" in html and "Start a new version" in html


def test_the_policies_link_is_in_the_school_menu_only_for_those_who_manage_policies(school, head, teacher, client):
    sign_in_with_mfa(client, head)
    assert url("policies", school) in client.get(reverse("schools:home", args=[school.slug])).content.decode()
    sign_in_with_mfa(client, teacher)
    assert url("policies", school) not in client.get(reverse("schools:home", args=[school.slug])).content.decode()


def test_a_form_for_an_audience_is_named_in_plain_words(school, head, client_for, draft):
    html = client_for(head).get(url("version", school, draft.pk)).content.decode()
    assert Audience.KS2.label in html
    assert "Status:" in html and "Draft" in html
