"""Every write to policies, their versions and forms."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit

from .models import AgreementForm, Audience, ChangeLogEntry, Policy, PolicyVersion, Statement, VersionStatus
from .starter_forms import STARTER_FORMS


def _record(action, *, by, version_or_policy, summary, request=None):
    policy = getattr(version_or_policy, "policy", version_or_policy)
    audit.record(action=action, actor=by, school=policy.school, obj=version_or_policy, request=request, summary=summary)


def _must_be_draft(version: PolicyVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            f"Version {version.number} is {version.get_status_display().lower()}, so it can't be changed. "
            "Start a new version to make changes."
        )


@transaction.atomic
def create_policy(*, school, title: str, kind: str, by, audiences=(Audience.STAFF,), request=None) -> PolicyVersion:
    """A new policy with its first draft version, and a starting form for each
    audience chosen (the school edits the wording before approving)."""
    policy = Policy.objects.create(school=school, title=title.strip(), kind=kind)
    version = PolicyVersion.objects.create(policy=policy, number=1, created_by=by)
    for audience in audiences:
        title_text, intro, statements = STARTER_FORMS[audience]
        save_form(version=version, audience=audience, title=title_text, intro=intro, statements=statements, by=by)
    _record(
        "policy.created", by=by, version_or_policy=policy, summary=f"Created the policy {policy.title}", request=request
    )
    return version


@transaction.atomic
def start_new_version(*, policy: Policy, by, request=None) -> PolicyVersion:
    """A draft copied from the latest version, forms and all. One draft at a time."""
    latest = policy.versions.select_for_update().order_by("-number").first()
    if latest.status in (VersionStatus.DRAFT, VersionStatus.APPROVED):
        raise ValidationError(f"Version {latest.number} is not published yet: change that one instead.")
    version = PolicyVersion.objects.create(
        policy=policy,
        number=latest.number + 1,
        body=latest.body,
        document=latest.document,
        document_name=latest.document_name,
        adopted_on=latest.adopted_on,
        review_every_years=latest.review_every_years,
        responsible=latest.responsible,
        statutory=latest.statutory,
        created_by=by,
    )
    for form in latest.forms.prefetch_related("statements"):
        save_form(
            version=version,
            audience=form.audience,
            title=form.title,
            intro=form.intro,
            statements=[s.text for s in form.statements.all()],
            every_academic_year=form.every_academic_year,
            staff_types=form.staff_types,
            by=by,
        )
    _record("policy.version_started", by=by, version_or_policy=version, summary=f"Started {version}", request=request)
    return version


@transaction.atomic
def update_version(*, version: PolicyVersion, by, request=None, **fields) -> PolicyVersion:
    # Checked on the row as it is now, not on the caller's copy: an approved version
    # must not change because a page was open from before the approval.
    _must_be_draft(PolicyVersion.objects.select_for_update().get(pk=version.pk))
    for name, value in fields.items():
        setattr(version, name, value)
    version.full_clean()
    version.save()
    _record("policy.version_edited", by=by, version_or_policy=version, summary=f"Edited {version}", request=request)
    return version


@transaction.atomic
def save_form(
    *,
    version: PolicyVersion,
    audience: str,
    title: str,
    intro: str,
    statements: list[str],
    by,
    every_academic_year: bool | None = None,
    staff_types: list[str] | None = None,
) -> AgreementForm:
    """Create or replace a draft version's form for one audience."""
    _must_be_draft(version)
    statements = [s.strip() for s in statements if s.strip()]
    if not statements:
        raise ValidationError({"statements": "Add at least one statement for people to agree to."})
    if every_academic_year is None:
        # Pupils' ICT contract is signed again each year (seed 003 §3.1).
        every_academic_year = audience in (Audience.KS2, Audience.EYFS_KS1)
    form, _ = AgreementForm.objects.update_or_create(
        version=version,
        audience=audience,
        defaults={
            "title": title.strip(),
            "intro": intro.strip(),
            "every_academic_year": every_academic_year,
            "staff_types": list(staff_types or []),
        },
    )
    form.statements.all().delete()
    Statement.objects.bulk_create(
        [Statement(form=form, number=i, text=text) for i, text in enumerate(statements, start=1)]
    )
    _record(
        "policy.form_saved",
        by=by,
        version_or_policy=version,
        summary=f"Saved the {form.get_audience_display().lower()} form of {version}",
    )
    return form


def remove_form(*, form: AgreementForm, by) -> None:
    _must_be_draft(form.version)
    form.statements.all().delete()
    AgreementForm.objects.filter(pk=form.pk).delete()


def add_change(*, version: PolicyVersion, date, section: str, change: str, agreed_by: str, by) -> ChangeLogEntry:
    _must_be_draft(version)
    entry = ChangeLogEntry.objects.create(
        version=version, date=date, section=section, change=change, agreed_by=agreed_by
    )
    _record(
        "policy.change_logged", by=by, version_or_policy=version, summary=f"Logged a change to {version}: {section}"
    )
    return entry


@transaction.atomic
def approve(*, version: PolicyVersion, approved_on, chair: str, head: str, by, request=None) -> PolicyVersion:
    """Record the governing body's approval (draft → approved)."""
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    _must_be_draft(version)
    if not version.forms.exists():
        raise ValidationError("Add at least one agreement form before approving.")
    if not (chair.strip() and head.strip()):
        raise ValidationError("Give the names of the chair of governors and the headteacher who approved it.")
    version.status = VersionStatus.APPROVED
    version.approved_on, version.approved_by_chair, version.approved_by_head = approved_on, chair.strip(), head.strip()
    version.save()
    _record(
        "policy.approved", by=by, version_or_policy=version, summary=f"Recorded approval of {version}", request=request
    )
    return version


@transaction.atomic
def back_to_draft(*, version: PolicyVersion, by, request=None) -> PolicyVersion:
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.APPROVED:
        raise ValidationError("Only an approved version that is not yet published can go back to draft.")
    version.status = VersionStatus.DRAFT
    version.save(update_fields=["status"])
    return version


@transaction.atomic
def publish(*, version: PolicyVersion, by, request=None) -> PolicyVersion:
    """Publish an approved version: its forms' exact texts are fixed (by SHA-256)
    and people must sign them; the version it replaces is superseded and kept."""
    from agreements.models import FormText  # agreements stores the texts people sign

    version = PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
    if version.status != VersionStatus.APPROVED:
        raise ValidationError("Record the governing body's approval before publishing.")
    now = timezone.now()
    PolicyVersion.objects.filter(policy=version.policy, status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.SUPERSEDED, superseded_at=now
    )
    for form in version.forms.prefetch_related("statements"):
        text = form.canonical_text()
        digest = hashlib.sha256(text.encode()).hexdigest()
        FormText.objects.get_or_create(sha256=digest, defaults={"text": text})
        AgreementForm.objects.filter(pk=form.pk).update(text_sha256=digest)
    version.status, version.published_at, version.published_by = VersionStatus.PUBLISHED, now, by
    version.save()
    _record("policy.published", by=by, version_or_policy=version, summary=f"Published {version}", request=request)
    return version
