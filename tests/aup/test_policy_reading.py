"""A policy people can read, and a version that can't be approved or published
without it: the text in sections, Word documents made readable, the checklist, the
policy's SHA-256 fixed on publishing, and 'Review overdue' on the list."""

import datetime
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aup import services
from aup.models import PolicyVersion, VersionStatus
from aup.policy_text import parse
from tests.docx import docx_bytes
from tests.policy_helpers import LONG_POLICY_TEXT, complete_version

APPROVAL = {"approved_on": datetime.date(2026, 9, 10), "chair": "Ruth Lee", "head": "Sam Cole"}


def url(name, school, *args):
    return reverse(f"aup:{name}", args=[school.slug, *args])


@pytest.fixture
def empty_draft(school, head):
    """A new policy's first draft, as created: forms but no text, review date or owner."""
    return services.create_policy(school=school, title="Mobile phones", kind="mobile_phones", by=head)


# --- The text in sections ---------------------------------------------------------------


def test_headings_are_lines_starting_with_hashes_or_numbered_titles_and_the_rest_are_paragraphs():
    text = parse(
        "## Why we have this policy\n"
        "1. Introduction and aims\n"
        "4.1 Exceptions from unacceptable use\n"
        "1. I will keep my password secret.\n"  # ends like a sentence: a paragraph
        "· Using the school's ICT to bully anyone\n"
        "- Sharing confidential information\n"
        "\n"
        "Breaches may be dealt with under the behaviour policy.\n"
    )
    assert [(b.kind, b.level, b.text or b.items) for b in text.blocks] == [
        ("heading", 1, "Why we have this policy"),
        ("heading", 1, "1. Introduction and aims"),
        ("heading", 2, "4.1 Exceptions from unacceptable use"),
        ("paragraph", 1, "1. I will keep my password secret."),
        ("list", 1, ["Using the school's ICT to bully anyone", "Sharing confidential information"]),
        ("paragraph", 1, "Breaches may be dealt with under the behaviour policy."),
    ]
    assert text.contents == text.headings  # three headings: long enough for a contents list


def test_a_short_policy_has_no_contents_list():
    assert parse("1. Aims\nWe use ICT safely.\n2. Scope\nEveryone.").contents == []


def test_the_version_page_shows_the_text_in_sections_and_never_as_html(school, head, client_for, empty_draft):
    body = LONG_POLICY_TEXT + "\n<script>alert('x')</script> is how not to write a policy."
    complete_version(empty_draft, head, body=body)
    html = client_for(head).get(url("version", school, empty_draft.pk)).content.decode()
    assert '<nav class="policy-contents" aria-label="Contents of the policy">' not in html  # a draft: the form
    services.approve(version=empty_draft, by=head, **APPROVAL)
    html = client_for(head).get(url("version", school, empty_draft.pk)).content.decode()
    assert 'aria-label="Contents of the policy"' in html
    assert '<h3 id="policy-section-1" class="policy-text__heading">1. Introduction and aims</h3>' in html
    assert '<h4 id="policy-section-7" class="policy-text__subheading">3.1 Exemptions</h4>' in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


# --- Word documents ---------------------------------------------------------------------


def test_an_uploaded_word_document_is_kept_as_sanitised_html_with_its_headings_under_the_page(
    school, head, client_for, empty_draft
):
    document = docx_bytes(
        ("Acceptable use policy", "Heading1"),
        ("<script>alert('x')</script> Everyone uses ICT safely.", ""),
        ("Exemptions", "Heading2"),
    )
    response = client_for(head).post(
        url("version", school, empty_draft.pk),
        {
            "review_every_years": "1",
            "summary": "How we use ICT safely.",
            "document": SimpleUploadedFile("policy.docx", document),
        },
    )
    assert response.status_code == 302
    empty_draft.refresh_from_db()
    assert empty_draft.document_html == (
        "<h3>Acceptable use policy</h3><p>&lt;script&gt;alert('x')&lt;/script&gt; Everyone uses ICT safely.</p>"
        "<h4>Exemptions</h4>"
    )


def test_a_word_document_that_cannot_be_read_is_refused_beside_the_field(school, head, client_for, empty_draft):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")  # no namespace: not Word's
    response = client_for(head).post(
        url("version", school, empty_draft.pk),
        {"review_every_years": "1", "document": SimpleUploadedFile("policy.docx", buffer.getvalue())},
    )
    assert response.status_code == 400
    assert "This Word document could not be read." in response.content.decode()
    empty_draft.refresh_from_db()
    assert not empty_draft.document and empty_draft.document_html == ""


def test_uploading_a_pdf_after_a_word_document_clears_the_converted_html(school, head, empty_draft):
    services.update_version(
        version=empty_draft, by=head, document=SimpleUploadedFile("p.docx", docx_bytes()), document_name="p.docx"
    )
    assert PolicyVersion.objects.get(pk=empty_draft.pk).document_html
    pdf = SimpleUploadedFile("p.pdf", b"%PDF-1.7\n%%EOF\n")
    services.update_version(version=empty_draft, by=head, document=pdf, document_name="p.pdf")
    assert PolicyVersion.objects.get(pk=empty_draft.pk).document_html == ""


# --- The checklist ----------------------------------------------------------------------


def test_approval_is_refused_with_a_sentence_naming_everything_missing(empty_draft, head):
    with pytest.raises(ValidationError) as refused:
        services.approve(version=empty_draft, by=head, **APPROVAL)
    assert refused.value.messages == [
        "Version 1 can't be approved yet: write the policy text or upload the policy document, "
        "set the next review date and choose the person responsible."
    ]
    empty_draft.refresh_from_db()
    assert empty_draft.status == VersionStatus.DRAFT


def test_a_policy_that_is_only_a_document_needs_a_short_summary(empty_draft, head):
    complete_version(
        empty_draft, head, body="", document=SimpleUploadedFile("p.pdf", b"%PDF-1.7\n"), document_name="p.pdf"
    )
    with pytest.raises(ValidationError, match="can't be approved yet: write a short summary of the policy document"):
        services.approve(version=empty_draft, by=head, **APPROVAL)
    services.update_version(version=empty_draft, by=head, summary="What the policy asks of everyone.")
    services.approve(version=empty_draft, by=head, **APPROVAL)


def test_publishing_refuses_an_approved_version_that_lost_its_text_naming_what_is_missing(
    school, head, client_for, draft
):
    services.approve(version=draft, by=head, **APPROVAL)
    # Approved before the checklist existed, say: nothing to read, nobody responsible.
    PolicyVersion.objects.filter(pk=draft.pk).update(body="", responsible=None)
    with pytest.raises(ValidationError) as refused:
        services.publish(version=draft, by=head)
    assert refused.value.messages == [
        "Version 1 can't be published yet: write the policy text or upload the policy document "
        "and choose the person responsible."
    ]
    page = client_for(head).get(url("publish", school, draft.pk)).content.decode()
    assert "can&#x27;t be published yet: write the policy text" in page
    assert "<button" not in page.split("<main", 1)[1].split("</main>")[0]
    response = client_for(head).post(url("publish", school, draft.pk), follow=True)
    assert "can&#x27;t be published yet" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.APPROVED


def test_the_version_page_shows_the_checklist_with_what_is_missing(school, head, client_for, empty_draft):
    html = client_for(head).get(url("version", school, empty_draft.pk)).content.decode()
    assert "Before it is approved and published" in html
    assert html.count('<strong class="checklist__status">Missing</strong>') == 3
    assert 'The policy text, or the policy document uploaded<span class="visually-hidden">: missing' in html
    assert 'At least one agreement form<span class="visually-hidden">: done' in html
    complete_version(empty_draft, head)
    html = client_for(head).get(url("version", school, empty_draft.pk)).content.decode()
    assert "checklist__status" not in html


# --- The policy's SHA-256 ---------------------------------------------------------------


def test_publishing_fixes_the_sha256_of_the_policy_text_and_of_the_document(empty_draft, head):
    pdf = b"%PDF-1.7\n% the governors' copy\n%%EOF\n"
    complete_version(empty_draft, head, document=SimpleUploadedFile("policy.pdf", pdf), document_name="policy.pdf")
    services.approve(version=empty_draft, by=head, **APPROVAL)
    services.publish(version=empty_draft, by=head)
    empty_draft.refresh_from_db()
    assert empty_draft.body_sha256 == hashlib.sha256(empty_draft.body.encode()).hexdigest()
    assert empty_draft.document_sha256 == hashlib.sha256(pdf).hexdigest()


def test_a_version_published_before_the_digests_were_kept_gets_them_once(published, head):
    PolicyVersion.objects.filter(pk=published.pk).update(body_sha256="", document_sha256="")
    version = PolicyVersion.objects.get(pk=published.pk)
    assert services.policy_digests(version) == (hashlib.sha256(published.body.encode()).hexdigest(), "")
    assert PolicyVersion.objects.get(pk=published.pk).body_sha256 == version.body_sha256


# --- The policy list --------------------------------------------------------------------


def test_a_passed_review_date_shows_review_overdue_on_the_policy_list(school, head, client_for, published):
    client = client_for(head)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    PolicyVersion.objects.filter(pk=published.pk).update(next_review_on=datetime.date.today())
    assert "Review overdue" not in client.get(url("policies", school)).content.decode()
    PolicyVersion.objects.filter(pk=published.pk).update(next_review_on=yesterday)
    assert "Review overdue" in client.get(url("policies", school)).content.decode()


# --- One name per policy ----------------------------------------------------------------


def test_two_policies_of_a_school_cannot_share_a_name(school, head, client_for, draft):
    response = client_for(head).post(
        url("policy_create", school), {"title": "  ict ACCEPTABLE use ", "kind": "ict_aup", "audiences": ["staff"]}
    )
    assert response.status_code == 400
    assert "There is already a policy called “ict ACCEPTABLE use”." in response.content.decode()
    assert school.policies.count() == 1
