"""Every write to policies, their versions and forms."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit

from . import checklist
from .documents import UnreadableDocument, docx_to_html, sha256_of
from .models import (
    AgreementForm,
    Audience,
    ChangeLogEntry,
    FormSection,
    Policy,
    PolicyVersion,
    Statement,
    VersionStatus,
)
from .starter_forms import STARTER_FORMS


def _record(action, *, by, version_or_policy, summary, request=None, data=None):
    policy = getattr(version_or_policy, "policy", version_or_policy)
    if policy.trust_id:  # a trust's own policy: no school; the trust is named in the data
        data = {"trust": policy.trust_id, **(data or {})}
    audit.record(
        action=action,
        actor=by,
        school=policy.school,
        obj=version_or_policy,
        request=request,
        summary=summary,
        data=data,
    )


def _not_a_trust_copy(policy: Policy) -> None:
    """A school's copy of its trust's policy is changed only by the trust."""
    if policy.adopted_from_id is not None:
        trust = Policy.objects.select_related("trust").get(pk=policy.adopted_from_id).trust
        raise ValidationError(
            f"This is a trust policy, managed by {trust.name}: changes are made by the trust, not by the school."
        )


def _must_be_draft(version: PolicyVersion) -> None:
    _not_a_trust_copy(version.policy)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            f"Version {version.number} is {version.get_status_display().lower()}, so it can't be changed. "
            "Start a new version to make changes."
        )


@transaction.atomic
def create_policy(
    *, school=None, trust=None, title: str, kind: str, by, audiences=(Audience.STAFF,), request=None
) -> PolicyVersion:
    """A new policy of a school (or of a trust, for all its schools) with its first
    draft version, and a starting form for each audience chosen (the wording is
    edited before approval)."""
    if (school is None) == (trust is None):
        raise ValueError("A policy belongs to a school or to a trust.")
    title = " ".join(title.split())
    # Forms are listed under their policy's name (to-dos, the family page, the
    # dashboard): two policies of one name would read as the same line.
    if Policy.objects.filter(school=school, trust=trust, title__iexact=title).exists():
        raise ValidationError({"title": f"There is already a policy called “{title}”. Give this one another name."})
    policy = Policy.objects.create(school=school, trust=trust, title=title, kind=kind)
    version = PolicyVersion.objects.create(policy=policy, number=1, created_by=by)
    for audience in audiences:
        title_text, intro, sections = STARTER_FORMS[audience]
        save_form(version=version, audience=audience, title=title_text, intro=intro, sections=sections, by=by)
    _record(
        "policy.created", by=by, version_or_policy=policy, summary=f"Created the policy {policy.title}", request=request
    )
    return version


@transaction.atomic
def start_new_version(*, policy: Policy, by, request=None) -> PolicyVersion:
    """A draft copied from the latest version, forms and all. One draft at a time."""
    _not_a_trust_copy(policy)
    latest = policy.versions.select_for_update().order_by("-number").first()
    if latest.status in (VersionStatus.DRAFT, VersionStatus.APPROVED):
        raise ValidationError(f"Version {latest.number} is not published yet: change that one instead.")
    version = PolicyVersion.objects.create(
        policy=policy,
        number=latest.number + 1,
        body=latest.body,
        summary=latest.summary,
        document=latest.document,
        document_name=latest.document_name,
        document_html=latest.document_html,
        adopted_on=latest.adopted_on,
        review_every_years=latest.review_every_years,
        responsible=latest.responsible,
        statutory=latest.statutory,
        created_by=by,
    )
    for form in latest.forms.prefetch_related("statements", "sections"):
        save_form(
            version=version,
            audience=form.audience,
            title=form.title,
            intro=form.intro,
            sections=sections_of(form),
            every_academic_year=form.every_academic_year,
            staff_types=form.staff_types,
            parent_countersigns=form.parent_countersigns,
            by=by,
        )
    _record("policy.version_started", by=by, version_or_policy=version, summary=f"Started {version}", request=request)
    return version


@transaction.atomic
def update_version(*, version: PolicyVersion, by, request=None, **fields) -> PolicyVersion:
    # Checked on the row as it is now, not on the caller's copy: an approved version
    # must not change because a page was open from before the approval.
    _must_be_draft(PolicyVersion.objects.select_for_update().get(pk=version.pk))
    if "document" in fields:
        # A Word document is converted once, now, to be read inline; a PDF is shown
        # by the browser itself.
        upload = fields["document"]
        name = (fields.get("document_name") or getattr(upload, "name", "") or "").lower()
        try:
            fields["document_html"] = docx_to_html(upload) if upload and name.endswith(".docx") else ""
        except UnreadableDocument:
            raise ValidationError(
                {
                    "document": "This Word document could not be read. Open it in Word, save it again "
                    "(or save it as a PDF) and upload that."
                }
            ) from None
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
    by,
    statements: list[str] | None = None,
    sections: list[tuple[str, list[str]]] | None = None,
    every_academic_year: bool | None = None,
    staff_types: list[str] | None = None,
    parent_countersigns: bool = False,
) -> AgreementForm:
    """Create or replace a draft version's form for one audience: either plain
    `statements`, or `sections`, each (heading, statements), as the school writes
    it ("I will not:" and what follows). A heading may be empty (statements that
    stand on their own). Statements are numbered through the whole form."""
    _must_be_draft(version)
    if (statements is None) == (sections is None):
        raise ValueError("Give the statements, or the sections with their statements.")
    if sections is None:
        sections = [("", statements)]
    sections = [(" ".join(heading.split()), [s.strip() for s in items if s.strip()]) for heading, items in sections]
    for heading, items in sections:
        if heading and not items:
            raise ValidationError({"statements": f"The section “{heading}” has no statements. Add some, or remove it."})
    sections = [(heading, items) for heading, items in sections if items]
    if not sections:
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
            # Only the pupils who sign for themselves have a parent countersign.
            "parent_countersigns": parent_countersigns and audience == Audience.KS2,
        },
    )
    form.statements.all().delete()
    form.sections.all().delete()
    _create_statements(form, sections)
    _record(
        "policy.form_saved",
        by=by,
        version_or_policy=version,
        summary=f"Saved the {form.get_audience_display().lower()} form of {version}",
    )
    return form


def _create_statements(form: AgreementForm, sections: list[tuple[str, list[str]]]) -> None:
    """The form's statements, numbered through the form. A form written as one list
    without a heading has no sections at all, as forms always had."""
    number = 0
    statements = []
    plain = len(sections) == 1 and not sections[0][0]
    for position, (heading, items) in enumerate(sections, start=1):
        section = None if plain else FormSection.objects.create(form=form, position=position, heading=heading)
        for text in items:
            number += 1
            statements.append(Statement(form=form, section=section, number=number, text=text))
    Statement.objects.bulk_create(statements)


def sections_of(form: AgreementForm) -> list[tuple[str, list[str]]]:
    """The form's sections as save_form takes them (a copy keeps the structure)."""
    return [(group.heading, [s.text for s in group.statements]) for group in form.statement_groups()]


def remove_form(*, form: AgreementForm, by) -> None:
    _must_be_draft(form.version)
    form.statements.all().delete()
    form.sections.all().delete()
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
def approve(
    *,
    version: PolicyVersion,
    approved_on,
    chair: str,
    head: str,
    by,
    chair_signed_on=None,
    head_signed_on=None,
    request=None,
) -> PolicyVersion:
    """Record the governing body's approval (draft → approved) as seed 001 does: agreed
    at the meeting on `approved_on`; the chair of governors and the headteacher each
    signed on their own date (the approval form asks for both; a date not given is
    not recorded rather than guessed)."""
    version = PolicyVersion.objects.select_for_update(of=("self",)).select_related("policy").get(pk=version.pk)
    _must_be_draft(version)
    refusal = checklist.refusal(version, "approved")
    if refusal:
        raise ValidationError(refusal)
    trust = version.policy.is_trust_policy
    if not (chair.strip() and head.strip()):
        if trust:
            raise ValidationError("Give the names of the chair of trustees and the chief executive who approved it.")
        raise ValidationError("Give the names of the chair of governors and the headteacher who approved it.")
    _check_approval_dates(
        approved_on=approved_on, chair_signed_on=chair_signed_on, head_signed_on=head_signed_on, trust=trust
    )
    version.status = VersionStatus.APPROVED
    version.approved_on, version.approved_by_chair, version.approved_by_head = approved_on, chair.strip(), head.strip()
    version.chair_signed_on, version.head_signed_on = chair_signed_on, head_signed_on
    version.save()
    _record(
        "policy.approved", by=by, version_or_policy=version, summary=f"Recorded approval of {version}", request=request
    )
    return version


# Who approves: a school's governing body, or a trust's board.
_APPROVERS = {
    False: {"body": "governing body", "chair": "chair of governors", "head": "headteacher"},
    True: {"body": "trust board", "chair": "chair of trustees", "head": "chief executive"},
}


def _check_approval_dates(*, approved_on, chair_signed_on, head_signed_on, trust: bool) -> None:
    """Each signatory signs on the day of the meeting or after it. (That no date is in
    the future is the approval form's check: tests and imports record past approvals
    at any moment.)"""
    names = _APPROVERS[trust]
    errors = {}
    for field, day, who in (
        ("chair_signed_on", chair_signed_on, names["chair"]),
        ("head_signed_on", head_signed_on, names["head"]),
    ):
        if day is not None and day < approved_on:
            errors[field] = f"The {who} signs on the day of the {names['body']} meeting or after it, not before."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def back_to_draft(*, version: PolicyVersion, by, request=None) -> PolicyVersion:
    version = PolicyVersion.objects.select_for_update(of=("self",)).select_related("policy").get(pk=version.pk)
    _not_a_trust_copy(version.policy)
    if version.status != VersionStatus.APPROVED:
        raise ValidationError("Only an approved version that is not yet published can go back to draft.")
    version.status = VersionStatus.DRAFT
    version.save(update_fields=["status"])
    return version


@transaction.atomic
def publish(*, version: PolicyVersion, by, request=None) -> PolicyVersion:
    """Publish an approved version: its forms' exact texts are fixed (by SHA-256)
    and people must sign them; the version it replaces is superseded and kept.
    A trust's version is published to every school of the trust as well."""
    version = PolicyVersion.objects.select_for_update(of=("self",)).select_related("policy").get(pk=version.pk)
    _not_a_trust_copy(version.policy)
    if version.policy.is_trust_policy:
        return publish_for_trust(version=version, by=by, request=request)
    return _publish(version, by=by, request=request)


def _publish(version: PolicyVersion, *, by, request=None, summary=None) -> PolicyVersion:
    """The one publishing path, for a school's own versions and its copies of its
    trust's versions alike (called inside the caller's transaction, row locked)."""
    from agreements.models import FormText  # agreements stores the texts people sign

    if version.status != VersionStatus.APPROVED:
        raise ValidationError("Record the governing body's approval before publishing.")
    refusal = checklist.refusal(version, "published")
    if refusal:
        raise ValidationError(refusal)
    now = timezone.now()
    PolicyVersion.objects.filter(policy=version.policy, status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.SUPERSEDED, superseded_at=now
    )
    version.body_sha256, version.document_sha256 = _policy_digests(version)
    for form in version.forms.prefetch_related("statements", "sections"):
        text = form.canonical_text()
        digest = hashlib.sha256(text.encode()).hexdigest()
        FormText.objects.get_or_create(sha256=digest, defaults={"text": text})
        AgreementForm.objects.filter(pk=form.pk).update(text_sha256=digest)
    version.status, version.published_at, version.published_by = VersionStatus.PUBLISHED, now, by
    version.save()
    _record(
        "policy.published", by=by, version_or_policy=version, summary=summary or f"Published {version}", request=request
    )
    return version


def _policy_digests(version: PolicyVersion) -> tuple[str, str]:
    """The SHA-256 of the policy text (UTF-8, as stored) and of the document's bytes;
    empty for what the version does not have."""
    body = hashlib.sha256(version.body.encode()).hexdigest() if version.body.strip() else ""
    document = sha256_of(version.document) if version.document else ""
    return body, document


def policy_digests(version: PolicyVersion) -> tuple[str, str]:
    """The published version's policy digests, (text, document). A version published
    before they were kept gets them now, once: a published version never changes, so
    they are what was published."""
    if version.body_sha256 or version.document_sha256 or not version.has_policy:
        return version.body_sha256, version.document_sha256
    body, document = _policy_digests(version)
    PolicyVersion.objects.filter(pk=version.pk, body_sha256="", document_sha256="").update(
        body_sha256=body, document_sha256=document
    )
    version.body_sha256, version.document_sha256 = body, document
    return body, document


# --- Trust policies: written once by the trust, copied to each of its schools --------


@transaction.atomic
def publish_for_trust(*, version: PolicyVersion, by, request=None) -> PolicyVersion:
    """Publish an approved version of a trust's policy, and publish a copy of it at
    every school of the trust, in one transaction: each school's copy supersedes the
    school's previous copy, so its people sign the new wording (and see what changed)."""
    version = PolicyVersion.objects.select_for_update(of=("self",)).select_related("policy__trust").get(pk=version.pk)
    policy = version.policy
    if not policy.is_trust_policy:
        raise ValidationError("This is a school's policy, not a trust's.")
    if version.status != VersionStatus.APPROVED:
        raise ValidationError("Record the trust board's approval before publishing.")
    _publish(version, by=by, request=request)
    for school in policy.trust.schools.order_by("name"):
        _copy_to_school(version, school=school, by=by, request=request)
    return version


@transaction.atomic
def adopt_trust_policies(*, school, by=None, request=None) -> list[PolicyVersion]:
    """A school that joins a trust gets the current published version of each of the
    trust's policies. Safe to call again: a version the school already has is not
    copied twice. Returns the copies made."""
    if school.trust_id is None:
        return []
    current = (
        PolicyVersion.objects.filter(policy__trust_id=school.trust_id, status=VersionStatus.PUBLISHED)
        .select_related("policy__trust")
        .order_by("policy__title")
    )
    copies = [_copy_to_school(version, school=school, by=by, request=request) for version in current]
    return [c for c in copies if c is not None]


def _copy_to_school(trust_version: PolicyVersion, *, school, by, request=None) -> PolicyVersion | None:
    """The school's copy of `trust_version`, published; None if it has it already."""
    trust_policy = trust_version.policy
    policy, created = Policy.objects.select_for_update().get_or_create(
        school=school, adopted_from=trust_policy, defaults={"title": trust_policy.title, "kind": trust_policy.kind}
    )
    if not created and (policy.title, policy.kind) != (trust_policy.title, trust_policy.kind):
        policy.title, policy.kind = trust_policy.title, trust_policy.kind
        policy.save(update_fields=["title", "kind"])
    if policy.versions.filter(copied_from=trust_version).exists():
        return None
    highest = policy.versions.order_by("-number").values_list("number", flat=True).first() or 0
    copy = PolicyVersion.objects.create(
        policy=policy,
        number=max(trust_version.number, highest + 1),
        status=VersionStatus.APPROVED,
        copied_from=trust_version,
        created_by=by or trust_version.created_by,
        **{name: getattr(trust_version, name) for name in _COPIED_VERSION_FIELDS},
    )
    ChangeLogEntry.objects.bulk_create(
        [
            ChangeLogEntry(version=copy, date=c.date, section=c.section, change=c.change, agreed_by=c.agreed_by)
            for c in trust_version.change_log.all()
        ]
    )
    for form in trust_version.forms.prefetch_related("statements", "sections"):
        form_copy = AgreementForm.objects.create(
            version=copy,
            audience=form.audience,
            title=form.title,
            intro=form.intro,
            every_academic_year=form.every_academic_year,
            parent_countersigns=form.parent_countersigns,
            staff_types=list(form.staff_types),
        )
        sections = sections_of(form)
        _create_statements(form_copy, sections)
    _record(
        "policy.copied_from_trust",
        by=by,
        version_or_policy=copy,
        summary=f"{trust_policy.trust.name} published version {trust_version.number} of {trust_policy.title}",
        request=request,
        data={"trust_version": trust_version.pk},
    )
    return _publish(
        copy,
        by=by,
        request=request,
        summary=f"Published {copy}, copied from {trust_policy.trust.name}'s version {trust_version.number}",
    )


_COPIED_VERSION_FIELDS = (
    "body",
    "summary",
    "document",
    "document_name",
    "document_html",
    "adopted_on",
    "reviewed_on",
    "next_review_on",
    "review_every_years",
    "responsible",
    "statutory",
    "approved_on",
    "approved_by_chair",
    "chair_signed_on",
    "approved_by_head",
    "head_signed_on",
)
