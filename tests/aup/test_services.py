"""The life of a policy version: draft, approved, published, superseded."""

import datetime
import hashlib

import pytest
from django.core.exceptions import ValidationError

from agreements.models import FormText
from aup import services
from aup.models import AgreementForm, Audience, PolicyVersion, VersionStatus
from core.models import AuditEvent

from .conftest import approve_and_publish

APPROVAL = {"approved_on": datetime.date(2026, 9, 10), "chair": "Ruth Lee", "head": "Sam Cole"}


def test_a_new_policy_is_a_draft_version_1_with_a_starting_form_per_audience(draft, school):
    assert draft.number == 1
    assert draft.status == VersionStatus.DRAFT
    assert draft.policy.school == school
    assert sorted(draft.forms.values_list("audience", flat=True)) == ["ks2", "staff"]
    staff = draft.forms.get(audience=Audience.STAFF)
    assert staff.statements.count() >= 3
    assert not staff.every_academic_year
    assert draft.forms.get(audience=Audience.KS2).every_academic_year
    assert AuditEvent.objects.filter(school=school, action="policy.created").exists()


def test_a_draft_can_be_edited(draft, head):
    services.update_version(version=draft, by=head, statutory=True, review_every_years=2)
    draft.refresh_from_db()
    assert draft.statutory and draft.review_every_years == 2


@pytest.mark.parametrize(
    "change",
    [
        lambda v, by: services.update_version(version=v, by=by, body="New text"),
        lambda v, by: services.save_form(
            version=v, audience=Audience.STAFF, title="T", intro="", statements=["I will."], by=by
        ),
        lambda v, by: services.remove_form(form=v.forms.first(), by=by),
        lambda v, by: services.add_change(
            version=v, date=datetime.date(2026, 9, 1), section="4", change="More", agreed_by="FGB", by=by
        ),
    ],
    ids=["details", "form", "remove form", "change log"],
)
def test_editing_a_published_version_is_refused(published, head, change):
    text_before = {f.audience: f.canonical_text() for f in published.forms.all()}
    body_before = published.body
    with pytest.raises(ValidationError, match="can't be changed"):
        change(published, head)
    published.refresh_from_db()
    assert published.body == body_before
    assert {f.audience: f.canonical_text() for f in published.forms.all()} == text_before
    assert not published.change_log.exists()


def test_approval_needs_at_least_one_form(school, head):
    version = services.create_policy(school=school, title="Social media", kind="social_media", audiences=[], by=head)
    with pytest.raises(ValidationError, match="at least one agreement form"):
        services.approve(version=version, by=head, **APPROVAL)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


@pytest.mark.parametrize("names", [{"chair": " ", "head": "Sam Cole"}, {"chair": "Ruth Lee", "head": ""}])
def test_approval_needs_the_names_of_the_chair_and_the_head(draft, head, names):
    with pytest.raises(ValidationError, match="chair of governors and the headteacher"):
        services.approve(version=draft, approved_on=datetime.date(2026, 9, 10), by=head, **names)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_an_approved_version_goes_back_to_draft_and_can_then_be_edited(draft, head):
    services.approve(version=draft, by=head, **APPROVAL)
    draft.refresh_from_db()
    with pytest.raises(ValidationError):
        services.update_version(version=draft, by=head, body="x")
    services.back_to_draft(version=draft, by=head)
    draft.refresh_from_db()
    services.update_version(version=draft, by=head, body="x")
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT and draft.body == "x"


def test_a_draft_cannot_be_published_before_approval(draft, head):
    with pytest.raises(ValidationError, match="approval"):
        services.publish(version=draft, by=head)
    assert not FormText.objects.exists()


def test_publishing_fixes_each_forms_text_by_its_sha256(published, head):
    published.refresh_from_db()
    assert published.status == VersionStatus.PUBLISHED
    assert published.published_by == head and published.published_at
    for form in published.forms.all():
        text = form.canonical_text()
        assert form.text_sha256 == hashlib.sha256(text.encode()).hexdigest()
        assert FormText.objects.get(sha256=form.text_sha256).text == text


def test_publishing_a_new_version_supersedes_the_previous_one(published, head):
    second = services.start_new_version(policy=published.policy, by=head)
    approve_and_publish(second, head)
    published.refresh_from_db()
    second.refresh_from_db()
    assert published.status == VersionStatus.SUPERSEDED and published.superseded_at
    assert second.status == VersionStatus.PUBLISHED
    assert PolicyVersion.objects.filter(policy=published.policy, status=VersionStatus.PUBLISHED).count() == 1


def test_a_new_version_copies_the_forms_and_details_of_the_published_one(published, head):
    second = services.start_new_version(policy=published.policy, by=head)
    assert second.number == 2 and second.status == VersionStatus.DRAFT
    old = {f.audience: f.canonical_text() for f in published.forms.all()}
    new = {f.audience: f.canonical_text() for f in second.forms.all()}
    assert new == old
    assert all(not f.text_sha256 for f in AgreementForm.objects.filter(version=second))
    assert second.review_every_years == published.review_every_years


def test_only_one_draft_at_a_time(published, head):
    services.start_new_version(policy=published.policy, by=head)
    with pytest.raises(ValidationError, match="not published yet"):
        services.start_new_version(policy=published.policy, by=head)
    assert published.policy.versions.count() == 2


def test_a_new_version_is_refused_while_the_first_is_a_draft(draft, head):
    with pytest.raises(ValidationError, match="not published yet"):
        services.start_new_version(policy=draft.policy, by=head)
