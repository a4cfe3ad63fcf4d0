"""Forms keep the school's structure: sections with their own headings ("I will",
"I will not", "I understand that"), statements numbered through the form, and the exact
signed text built the same way every time."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agreements.models import FormText
from aup import services
from aup.forms import format_statements, parse_statements
from aup.models import AgreementForm, Audience, FormSection, Statement
from aup.starter_forms import STARTER_FORMS

from .conftest import approve_and_publish

SECTIONS = [
    ("When I use the school's computers, I will:", ["Keep my password secret.", "Be kind online."]),
    ("I will not:", ["Use chat rooms.", "Share my address."]),
    ("I understand that:", ["The school checks the websites I visit."]),
]


def staff_form(version):
    return AgreementForm.objects.prefetch_related("statements", "sections").get(version=version, audience="staff")


def test_a_form_in_sections_numbers_its_statements_through_the_form(draft, head):
    services.save_form(version=draft, audience=Audience.STAFF, title="Staff", intro="", sections=SECTIONS, by=head)
    form = staff_form(draft)
    assert [(g.heading, [(s.number, s.text) for s in g.statements]) for g in form.statement_groups()] == [
        (SECTIONS[0][0], [(1, "Keep my password secret."), (2, "Be kind online.")]),
        ("I will not:", [(3, "Use chat rooms."), (4, "Share my address.")]),
        ("I understand that:", [(5, "The school checks the websites I visit.")]),
    ]


def test_the_signed_text_has_each_heading_before_its_statements(draft, head):
    services.save_form(
        version=draft, audience=Audience.STAFF, title="Staff", intro="Read it.", sections=SECTIONS, by=head
    )
    assert staff_form(draft).canonical_text() == (
        "Staff\n\nRead it.\n\n"
        "When I use the school's computers, I will:\n1. Keep my password secret.\n2. Be kind online.\n\n"
        "I will not:\n3. Use chat rooms.\n4. Share my address.\n\n"
        "I understand that:\n5. The school checks the websites I visit.\n"
    )


def test_a_form_without_sections_reads_exactly_as_forms_always_have(draft, head):
    """Forms published before sections existed are referred to by the SHA-256 of this
    text: it must not change."""
    services.save_form(
        version=draft, audience=Audience.STAFF, title="Staff", intro="Read it.", statements=["A.", "B."], by=head
    )
    form = staff_form(draft)
    assert not FormSection.objects.filter(form=form).exists()
    assert form.canonical_text() == "Staff\n\nRead it.\n\n1. A.\n2. B.\n"


def test_publishing_fixes_the_sectioned_text_by_its_sha256(draft, head):
    services.save_form(version=draft, audience=Audience.STAFF, title="Staff", intro="", sections=SECTIONS, by=head)
    approve_and_publish(draft, head)
    form = staff_form(draft)
    text = FormText.objects.get(sha256=form.text_sha256).text
    assert text == form.canonical_text() and "\nI will not:\n3. Use chat rooms.\n" in text
    assert form.text_sha256 == hashlib.sha256(text.encode()).hexdigest()


def test_a_section_without_statements_is_refused_by_name(draft, head):
    with pytest.raises(ValidationError, match="The section “I will not:” has no statements"):
        services.save_form(
            version=draft,
            audience=Audience.STAFF,
            title="Staff",
            intro="",
            sections=[("I will:", ["Be kind."]), ("I will not:", [])],
            by=head,
        )


def test_a_new_version_keeps_the_sections(school, head, draft):
    services.save_form(version=draft, audience=Audience.STAFF, title="Staff", intro="", sections=SECTIONS, by=head)
    approve_and_publish(draft, head)
    second = services.start_new_version(policy=draft.policy, by=head)
    assert staff_form(second).canonical_text() == staff_form(draft).canonical_text()
    assert FormSection.objects.filter(form__version=second, form__audience="staff").count() == 3


def test_a_schools_copy_of_a_trust_policy_keeps_the_sections(trust, school, trust_officer):
    from tests.policy_helpers import complete_version

    version = services.create_policy(trust=trust, title="Trust ICT", kind="ict_aup", audiences=[], by=trust_officer)
    services.save_form(
        version=version, audience=Audience.STAFF, title="Staff", intro="", sections=SECTIONS, by=trust_officer
    )
    complete_version(version, trust_officer)
    approve_and_publish(version, trust_officer)
    copy = AgreementForm.objects.prefetch_related("statements", "sections").get(
        version__policy__school=school, audience="staff"
    )
    assert copy.canonical_text() == staff_form(version).canonical_text()
    assert copy.text_sha256 == staff_form(version).text_sha256


def test_the_statements_box_reads_hash_lines_as_sections_and_drops_bullets_and_numbers():
    text = (
        "## I will:\n· Keep my password secret.\n\n2. Be kind online.\n"
        "## I will not:\n- Use chat rooms.\n##\nI understand the school checks.\n"
    )
    assert parse_statements(text) == [
        ("I will:", ["Keep my password secret.", "Be kind online."]),
        ("I will not:", ["Use chat rooms."]),
        ("", ["I understand the school checks."]),
    ]
    assert parse_statements(format_statements(parse_statements(text))) == parse_statements(text)
    assert parse_statements("One.\nTwo.") == [("", ["One.", "Two."])]


def test_the_head_writes_a_form_in_sections_in_the_editor(school, head, client_for, draft):
    client = client_for(head)
    edit = reverse("aup:form_edit", args=[school.slug, draft.pk, "staff"])
    page = client.get(edit).content.decode()
    assert "## I will not:" in page  # the starter form, in sections
    response = client.post(
        edit,
        {
            "title": "Staff ICT agreement",
            "statements": "## I will:\nLock my screen.\n## I will not:\nShare my password.\nInstall software.",
        },
    )
    assert response.status_code == 302
    form = staff_form(draft)
    assert [(g.heading, g.numbers) for g in form.statement_groups()] == [("I will:", [1]), ("I will not:", [2, 3])]
    version_page = client.get(reverse("aup:version", args=[school.slug, draft.pk])).content.decode()
    assert '<p class="agreement-form__section">I will not:</p>' in version_page
    assert '<li value="3">Install software.</li>' in version_page
    assert "## I will:\n\nLock my screen.\n\n## I will not:" in client.get(edit).content.decode()


@pytest.mark.parametrize("audience", [Audience.STAFF, Audience.KS2, Audience.PARENTS, Audience.VISITORS])
def test_the_starter_forms_are_written_in_sections(audience, draft, head):
    _, _, sections = STARTER_FORMS[audience]
    assert len(sections) >= 2 and all(heading for heading, _ in sections)
    services.save_form(version=draft, audience=audience, title="T", intro="", sections=sections, by=head)
    form = AgreementForm.objects.get(version=draft, audience=audience)
    assert [h for h, _ in services.sections_of(form)] == [h for h, _ in sections]
    assert Statement.objects.filter(form=form, section__isnull=True).count() == 0
