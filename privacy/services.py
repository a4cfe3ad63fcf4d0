"""Writes for people's rights: record a request, decide it, start a subject access
export, claim its one download, and the privacy notice. Exports are built in
privacy.exports (the worker's job)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from core.subject_access import CARER, PUPIL, STAFF

from .models import ExportStatus, PrivacyNotice, RightsRequest, SubjectAccessExport, answer_by


def record_request(
    *, school, by, kind, requester_name, requester_relationship, subject_name, received_on, details, request=None
) -> RightsRequest:
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "Date received must be today or in the past."})
    with transaction.atomic():
        rights_request = RightsRequest.objects.create(
            school=school,
            kind=kind,
            requester_name=requester_name.strip(),
            requester_relationship=requester_relationship.strip(),
            subject_name=subject_name.strip(),
            received_on=received_on,
            details=details.strip(),
            due_on=answer_by(received_on),
            recorded_by=by,
        )
        audit.record(
            action="privacy.request_recorded",
            actor=by,
            school=school,
            obj=rights_request,
            request=request,
            summary=f"A {rights_request.get_kind_display().split(' (')[0].lower()} request recorded",
        )
    return rights_request


def decide_request(*, rights_request, by, decision, notes, decided_on, request=None) -> RightsRequest:
    if decided_on < rights_request.received_on:
        raise ValidationError({"decided_on": "Date of the decision must be on or after the date it was received."})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": "Date of the decision must be today or in the past."})
    with transaction.atomic():
        locked = RightsRequest.objects.select_for_update().get(pk=rights_request.pk)
        if not locked.is_open:
            raise ValidationError("This request has already been decided.")
        locked.decision = decision
        locked.decision_notes = notes.strip()
        locked.decided_on = decided_on
        locked.decided_by = by
        locked.save(update_fields=["decision", "decision_notes", "decided_on", "decided_by"])
        audit.record(
            action="privacy.request_decided",
            actor=by,
            school=locked.school,
            obj=locked,
            request=request,
            summary=f"A data protection request decided: {locked.get_decision_display().lower()}",
        )
    return locked


def start_export(*, school, by, subject_kind, pupil=None, person=None, rights_request=None, request=None):
    """Queue the export of everything about one pupil, carer or member of staff of
    `school` (the caller has checked they belong to it)."""
    from .tasks import build_subject_access_export

    if subject_kind == PUPIL:
        if pupil is None or pupil.school_id != school.pk:
            raise ValidationError({"pupil": "Choose a pupil of this school."})
        name = pupil.full_name
    elif subject_kind in (CARER, STAFF):
        if person is None:
            raise ValidationError("Choose the person the export is about.")
        name = person.full_name
    else:
        raise ValidationError("Choose whose data to export.")
    if rights_request is not None and rights_request.school_id != school.pk:
        raise ValidationError("That request is not one of this school's.")
    with transaction.atomic():
        export = SubjectAccessExport.objects.create(
            school=school,
            request=rights_request,
            subject_kind=subject_kind,
            pupil=pupil if subject_kind == PUPIL else None,
            person=person if subject_kind != PUPIL else None,
            subject_name=name,
            requested_by=by,
        )
        audit.record(
            action="privacy.export_started",
            actor=by,
            school=school,
            obj=export,
            request=request,
            summary="A subject access export started",
            data={"subject_kind": subject_kind},
        )
        build_subject_access_export.delay_on_commit(export.pk)
    return export


class AlreadyDownloaded(ValidationError):
    pass


def claim_download(*, export, by) -> SubjectAccessExport:
    """The one download: marked before the file is sent, in one UPDATE, so two clicks
    (or two people) cannot both have it."""
    now = timezone.now()
    claimed = SubjectAccessExport.objects.filter(
        pk=export.pk, status=ExportStatus.READY, downloaded_at__isnull=True, removed_at__isnull=True
    ).update(status=ExportStatus.DOWNLOADED, downloaded_at=now, downloaded_by=by)
    if not claimed:
        raise AlreadyDownloaded(
            "This export has already been downloaded, or is no longer kept. Start a new export if you need another copy."
        )
    export.refresh_from_db()
    return export


def save_notice(*, school, by, body, dpo_name, dpo_email, request=None) -> PrivacyNotice:
    with transaction.atomic():
        notice, _ = PrivacyNotice.objects.update_or_create(
            school=school,
            defaults={
                "body": body.strip(),
                "dpo_name": dpo_name.strip(),
                "dpo_email": dpo_email.strip(),
                "updated_by": by,
            },
        )
        audit.record(
            action="privacy.notice_saved",
            actor=by,
            school=school,
            obj=notice,
            request=request,
            summary="Privacy notice changed",
        )
    return notice
