"""Every write to the incident log. One transaction per step; each step adds an entry
to the incident's chronology and an event to the audit log."""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import audit
from core.roles import Cap
from core.tenancy import school_access
from core.uploads import check_document
from schools.models import Pupil

from .models import (
    EntryKind,
    ICODecision,
    Incident,
    IncidentEntry,
    IncidentEvidence,
    ReferredTo,
    Severity,
    Status,
)

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_REFUSED = (
    "The evidence must be a screenshot or photo (PNG or JPEG) or a PDF, of 10 MB or less. "
    "This file is not one of those: take the screenshot again, or save the document as a PDF."
)
# A few minutes' grace for a phone whose clock runs fast.
_CLOCK_SKEW = datetime.timedelta(minutes=5)


def evidence_kind(upload) -> tuple[str, str]:
    """(content type, extension) of an upload, judged by its content, or a
    ValidationError beside the evidence field."""
    return check_document(upload, field="evidence", max_bytes=MAX_EVIDENCE_BYTES, refused=EVIDENCE_REFUSED)


def _check_when(field, moment, what):
    if moment is not None and moment > timezone.now() + _CLOCK_SKEW:
        raise ValidationError({field: f"{what} cannot be in the future."})


def _store_evidence(*, incident, upload, uploaded_by, taken_at, description, stored: list) -> IncidentEvidence:
    content_type, extension = evidence_kind(upload)
    _check_when("taken_at", taken_at, "The time the screenshot was taken")
    content = upload.read()
    evidence = IncidentEvidence(
        incident=incident,
        content_type=content_type,
        original_name=(getattr(upload, "name", "") or "")[:200],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        description=description[:300],
        taken_at=taken_at,
        uploaded_by=uploaded_by,
    )
    number = IncidentEvidence.objects.filter(incident=incident).count() + 1
    evidence.file.save(f"{incident.reference}-{number}.{extension}", ContentFile(content), save=False)
    stored.append(evidence.file.name)
    evidence.save()
    return evidence


def _delete_files(names):
    storage = IncidentEvidence._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def _entry(incident, kind, author, text="", **fields) -> IncidentEntry:
    return IncidentEntry.objects.create(incident=incident, kind=kind, author=author, text=text, **fields)


def _locked(incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _next_reference(school, reported_at) -> str:
    year = timezone.localtime(reported_at).year
    prefix = f"INC-{year}-"
    last = (
        Incident.objects.filter(school=school, reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _may(user, school, capability) -> bool:
    access = school_access(user, school)
    return access is not None and access.can(capability)


def _people_of(school, pupils, staff):
    for pupil in pupils:
        if pupil.school_id != school.pk:
            raise ValidationError({"pupils": "Choose pupils of this school."})
    for membership in staff:
        if membership.school_id != school.pk:
            raise ValidationError({"staff": "Choose staff of this school."})


def _filed(incident, pupils, staff) -> dict:
    """The report as filed, kept in its first chronology entry."""
    return {
        "occurred_at": incident.occurred_at.isoformat(),
        "location": incident.location,
        "category": incident.category,
        "description": incident.description,
        "immediate_action": incident.immediate_action,
        "others_involved": incident.others_involved,
        "personal_data_breach": incident.personal_data_breach,
        "pupils": [{"id": p.pk, "name": p.full_name} for p in pupils],
        # What the database checks the incident's pupils against (incidents 0006).
        "pupil_ids": [p.pk for p in pupils],
        "staff": [{"id": m.pk, "name": m.user.full_name} for m in staff],
    }


# --- reporting ------------------------------------------------------------------------


def report_incident(
    *,
    school,
    reported_by,
    occurred_at,
    category,
    description,
    submission_key,
    location="",
    immediate_action="",
    others_involved="",
    pupils=(),
    staff=(),
    personal_data_breach=False,
    evidence=None,
    evidence_taken_at=None,
    evidence_description="",
    request=None,
) -> Incident:
    """File a report. The DSL and the e-safety lead are emailed once it is saved."""
    if not _may(reported_by, school, Cap.REPORT_INCIDENT):
        raise ValidationError("You cannot report an incident at this school.")
    description = description.strip()
    if not description:
        raise ValidationError({"description": "Say what happened."})
    _check_when("occurred_at", occurred_at, "The time it happened")
    pupils, staff = list(pupils), list(staff)
    _people_of(school, pupils, staff)
    existing = Incident.objects.filter(school=school, reported_by=reported_by, submission_key=submission_key).first()
    if existing is not None:
        return existing  # the same form sent twice
    stored: list[str] = []
    try:
        for attempt in range(5):
            try:
                with transaction.atomic():
                    incident = _file(
                        school=school,
                        reported_by=reported_by,
                        occurred_at=occurred_at,
                        category=category,
                        description=description,
                        submission_key=submission_key,
                        location=location.strip(),
                        immediate_action=immediate_action.strip(),
                        others_involved=others_involved.strip(),
                        pupils=pupils,
                        staff=staff,
                        personal_data_breach=personal_data_breach,
                        evidence=evidence,
                        evidence_taken_at=evidence_taken_at,
                        evidence_description=evidence_description.strip(),
                        request=request,
                        stored=stored,
                    )
                break
            except IntegrityError:
                _delete_files(stored)
                stored.clear()
                existing = Incident.objects.filter(
                    school=school, reported_by=reported_by, submission_key=submission_key
                ).first()
                if existing is not None:
                    return existing
                if attempt == 4:
                    raise
    except Exception:
        _delete_files(stored)
        raise
    return incident


def _file(
    *, school, reported_by, stored, request, pupils, staff, evidence, evidence_taken_at, evidence_description, **fields
):
    from . import tasks

    now = timezone.now()
    incident = Incident(school=school, reported_by=reported_by, reported_at=now, **fields)
    if incident.personal_data_breach:
        incident.aware_at = now
        incident.ico_decision = ICODecision.PENDING
    incident.reference = _next_reference(school, now)
    incident.save()
    # The entry before the pupils: the database accepts only the pupils it records.
    _entry(incident, EntryKind.REPORTED, reported_by, incident.description, data=_filed(incident, pupils, staff))
    incident.pupils.set(pupils)
    incident.staff.set(staff)
    if evidence is not None:
        item = _store_evidence(
            incident=incident,
            upload=evidence,
            uploaded_by=reported_by,
            taken_at=evidence_taken_at,
            description=evidence_description,
            stored=stored,
        )
        _entry(
            incident,
            EntryKind.ADDITION_BY_REPORTER,
            reported_by,
            "Evidence attached to the report.",
            data={"evidence_id": item.pk},
        )
    audit.record(
        action="incident.reported",
        actor=reported_by,
        school=school,
        obj=incident,
        request=request,
        summary=f"E-safety incident {incident.reference} reported",
        data={"category": incident.category, "personal_data_breach": incident.personal_data_breach},
    )
    tasks.notify_incident_reported.delay_on_commit(incident.pk)
    return incident


def add_to_report(*, incident, by, text="", evidence=None, taken_at=None, evidence_description="", request=None):
    """The reporter adds a note or evidence. What they filed stays as it was."""
    if incident.reported_by_id != by.pk:
        raise ValidationError("Only the person who reported this incident can add to their report.")
    text = text.strip()
    if not text and evidence is None:
        raise ValidationError({"text": "Write what you want to add, or attach a file."})
    stored: list[str] = []
    try:
        with transaction.atomic():
            incident = _locked(incident)
            if incident.status == Status.CLOSED:
                raise ValidationError("This incident is closed. Speak to the e-safety lead if you know more.")
            data = {}
            if evidence is not None:
                item = _store_evidence(
                    incident=incident,
                    upload=evidence,
                    uploaded_by=by,
                    taken_at=taken_at,
                    description=evidence_description.strip(),
                    stored=stored,
                )
                data["evidence_id"] = item.pk
            entry = _entry(incident, EntryKind.ADDITION_BY_REPORTER, by, text, data=data)
            audit.record(
                action="incident.added_to",
                actor=by,
                school=incident.school,
                obj=incident,
                request=request,
                summary=f"The reporter added to {incident.reference}",
                data={"entry_id": entry.pk, **data},
            )
    except Exception:
        _delete_files(stored)
        raise
    return entry


# --- triage and investigation ------------------------------------------------------------


def _require(by, incident, capability, message):
    """The person may do this to this incident: they hold `capability`, see the
    whole record (a safeguarding incident: the DSL or the head) and are not named
    among the staff involved."""
    from .selectors import can_see_record

    access = school_access(by, incident.school)
    if access is None or not access.can(capability) or not can_see_record(access, incident):
        raise ValidationError(message)


def authorised_investigator(user, school, *, safeguarding, staff_involved=None) -> bool:
    """Only qualified, authorised people investigate: those who may investigate
    incidents in this school, and for a safeguarding incident those who may see it;
    never someone named among the staff involved."""
    access = school_access(user, school)
    if access is None or access.membership is None or not access.can(Cap.INVESTIGATE_INCIDENTS):
        return False
    if staff_involved is not None and access.membership in staff_involved:
        return False
    return not safeguarding or access.can(Cap.VIEW_SAFEGUARDING_INCIDENTS)


def triage(
    *,
    incident,
    by,
    severity,
    safeguarding,
    investigator=None,
    category=None,
    pupils=None,
    staff=None,
    breached_statements=None,
    personal_data_breach=None,
    note="",
    request=None,
):
    _require(by, incident, Cap.TRIAGE_INCIDENTS, "Only the DSL or the headteacher can triage an incident.")
    if severity not in Severity.values:
        raise ValidationError({"severity": "Choose how serious it is."})
    school = incident.school
    named = list(staff) if staff is not None else list(incident.staff.all())
    if investigator is not None and not authorised_investigator(
        investigator, school, safeguarding=safeguarding, staff_involved=named
    ):
        message = "Choose someone authorised to investigate who is not named as involved"
        message += ": for a safeguarding incident, the DSL or the headteacher." if safeguarding else "."
        raise ValidationError({"investigator": message})
    pupils = list(pupils) if pupils is not None else None
    staff = list(staff) if staff is not None else None
    _people_of(school, pupils or [], staff or [])
    statements = list(breached_statements) if breached_statements is not None else None
    for statement in statements or []:
        if statement.form.version.policy.school_id != school.pk:
            raise ValidationError({"breached_statements": "Choose statements of this school's policies."})
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status == Status.CLOSED:
            raise ValidationError("This incident is closed.")
        before = {"severity": incident.severity, "safeguarding": incident.safeguarding}
        incident.severity = severity
        incident.safeguarding = bool(safeguarding)
        incident.investigator = investigator
        if category:
            incident.category = category
        if personal_data_breach and not incident.personal_data_breach:
            incident.personal_data_breach = True
            incident.aware_at = incident.reported_at  # the school knew when it was reported
            incident.ico_decision = ICODecision.PENDING
        if incident.status == Status.REPORTED:
            incident.status = Status.TRIAGED
        incident.triaged_at = incident.triaged_at or timezone.now()
        # The entry first: the database lets the safeguarding flag and the pupils change
        # only as the latest chronology entry records them (incidents 0006).
        pupils_now = list(
            Pupil.objects.filter(pk__in=[p.pk for p in pupils]) if pupils is not None else incident.pupils.all()
        )
        staff_now = staff if staff is not None else incident.staff.select_related("user")
        statements_now = statements if statements is not None else incident.breached_statements.all()
        data = {
            "before": before,
            "severity": incident.severity,
            "severity_label": incident.get_severity_display(),
            "safeguarding": incident.safeguarding,
            "category": incident.category,
            "investigator": investigator.full_name if investigator else "",
            "investigator_id": investigator.pk if investigator else None,
            "personal_data_breach": incident.personal_data_breach,
            "pupils": [p.full_name for p in pupils_now],
            "pupil_ids": [p.pk for p in pupils_now],
            "staff": [m.user.full_name for m in staff_now],
            "breached_statements": [str(s) for s in statements_now],
        }
        entry = _entry(incident, EntryKind.TRIAGE, by, note.strip(), data=data)
        incident.save()
        if pupils is not None:
            incident.pupils.set(pupils)
        if staff is not None:
            incident.staff.set(staff)
        if statements is not None:
            incident.breached_statements.set(statements)
        audit.record(
            action="incident.triaged",
            actor=by,
            school=school,
            obj=incident,
            request=request,
            # What kind of thing happened, nothing of the triage itself: that lives in
            # the chronology, read by those who may open the record.
            summary=f"{incident.reference} triaged",
            data={"entry_id": entry.pk},
        )
    return incident


ENTRY_KINDS = (EntryKind.NOTE, EntryKind.CONTACT_WITH_PARENTS, EntryKind.REFERRAL)


def add_entry(*, incident, by, kind, text, referred_to="", reference_number="", request=None):
    """A note, a contact with parents or a referral (with its reference number)."""
    _require(by, incident, Cap.INVESTIGATE_INCIDENTS, "You cannot add to this incident's record.")
    text = text.strip()
    reference_number = reference_number.strip()
    if kind not in ENTRY_KINDS:
        raise ValidationError({"kind": "Choose what you are recording."})
    if not text:
        raise ValidationError({"text": "Write what happened or what was done."})
    if kind == EntryKind.REFERRAL:
        if referred_to not in ReferredTo.values:
            raise ValidationError({"referred_to": "Choose who the incident was referred to."})
        if not reference_number:
            raise ValidationError(
                {"reference_number": "Enter the reference number you were given (write a note until you have one)."}
            )
    else:
        referred_to = reference_number = ""
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status == Status.CLOSED:
            raise ValidationError("This incident is closed.")
        entry = _entry(incident, kind, by, text, referred_to=referred_to, reference_number=reference_number)
        # Never whom it was referred to or the reference number: a referral to the
        # LADO or the police is told by the record, not by the audit log.
        summary = f"{entry.get_kind_display()} added to {incident.reference}"
        audit.record(
            action=f"incident.{kind}",
            actor=by,
            school=incident.school,
            obj=incident,
            request=request,
            summary=summary,
            data={"entry_id": entry.pk},
        )
    return entry


def add_evidence(*, incident, by, evidence, taken_at=None, description="", request=None):
    """Evidence added by the people investigating."""
    _require(by, incident, Cap.INVESTIGATE_INCIDENTS, "You cannot add to this incident's record.")
    stored: list[str] = []
    try:
        with transaction.atomic():
            incident = _locked(incident)
            if incident.status == Status.CLOSED:
                raise ValidationError("This incident is closed.")
            item = _store_evidence(
                incident=incident,
                upload=evidence,
                uploaded_by=by,
                taken_at=taken_at,
                description=description.strip(),
                stored=stored,
            )
            _entry(incident, EntryKind.EVIDENCE, by, item.description, data={"evidence_id": item.pk})
            audit.record(
                action="incident.evidence_added",
                actor=by,
                school=incident.school,
                obj=incident,
                request=request,
                summary=f"Evidence added to {incident.reference}",
                data={"evidence_id": item.pk},
            )
    except Exception:
        _delete_files(stored)
        raise
    return item


STATUS_STEPS = (Status.TRIAGED, Status.INVESTIGATING, Status.AWAITING_REVIEW)


def change_status(*, incident, by, status, note="", request=None):
    _require(by, incident, Cap.INVESTIGATE_INCIDENTS, "You cannot change this incident's status.")
    if status not in STATUS_STEPS:
        raise ValidationError({"status": "Choose the new status. To close the incident, the head signs it off."})
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status == Status.CLOSED:
            raise ValidationError("This incident is closed.")
        if incident.status == Status.REPORTED:
            raise ValidationError({"status": "Triage the incident first: the DSL or the head sets how serious it is."})
        if incident.status == status:
            raise ValidationError({"status": f"The incident is already {incident.get_status_display().lower()}."})
        before = incident.status
        incident.status = status
        incident.save(update_fields=["status"])
        entry = _entry(
            incident,
            EntryKind.STATUS_CHANGE,
            by,
            note.strip(),
            data={"from": before, "to": status, "from_label": Status(before).label, "to_label": Status(status).label},
        )
        audit.record(
            action="incident.status_changed",
            actor=by,
            school=incident.school,
            obj=incident,
            request=request,
            summary=f"{incident.reference}: {Status(before).label} to {Status(status).label}",
            data={"entry_id": entry.pk, "from": before, "to": status},
        )
    return incident


def record_ico_decision(*, incident, by, decision, reason, ico_reference="", request=None):
    """Whether a personal data breach was reported to the ICO, and why."""
    _require(by, incident, Cap.TRIAGE_INCIDENTS, "Only the DSL or the headteacher can record this decision.")
    reason = reason.strip()
    ico_reference = ico_reference.strip()
    if decision not in (ICODecision.REPORTED, ICODecision.NOT_REPORTED):
        raise ValidationError({"decision": "Choose whether the breach was reported to the ICO."})
    if not reason:
        raise ValidationError({"reason": "Give the reason for the decision."})
    if decision == ICODecision.REPORTED and not ico_reference:
        raise ValidationError({"ico_reference": "Enter the reference the ICO gave you."})
    with transaction.atomic():
        incident = _locked(incident)
        if not incident.personal_data_breach:
            raise ValidationError("This incident is not marked as a personal data breach.")
        if incident.ico_decision != ICODecision.PENDING:
            raise ValidationError("The decision about the ICO has already been recorded.")
        now = timezone.now()
        incident.ico_decision = decision
        incident.ico_reason = reason
        incident.ico_decided_at = now
        incident.ico_decided_by = by
        incident.save(update_fields=["ico_decision", "ico_reason", "ico_decided_at", "ico_decided_by"])
        data = {
            "decision": decision,
            "deadline": incident.ico_deadline.isoformat(),
            "within_72_hours": now <= incident.ico_deadline,
        }
        if decision == ICODecision.REPORTED:
            entry = _entry(
                incident,
                EntryKind.REFERRAL,
                by,
                reason,
                referred_to=ReferredTo.ICO,
                reference_number=ico_reference,
                data=data,
            )
        else:
            entry = _entry(incident, EntryKind.ICO_DECISION, by, reason, data=data)
        audit.record(
            action="incident.ico_decision",
            actor=by,
            school=incident.school,
            obj=incident,
            request=request,
            summary=f"{incident.reference}: decision about reporting to the ICO recorded",
            data={"entry_id": entry.pk},
        )
    return incident


def close(*, incident, by, outcome, request=None):
    """The head's sign-off: the outcome, and the incident is closed."""
    _require(by, incident, Cap.REVIEW_INCIDENTS, "Only the headteacher can sign off and close an incident.")
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": "Write the outcome: what was decided and done."})
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status == Status.CLOSED:
            raise ValidationError("This incident is already closed.")
        if incident.status == Status.REPORTED:
            raise ValidationError("Triage the incident before closing it.")
        if incident.personal_data_breach and incident.ico_decision == ICODecision.PENDING:
            raise ValidationError("Record the decision about reporting the breach to the ICO before closing.")
        now = timezone.now()
        before = incident.status
        incident.status = Status.CLOSED
        incident.outcome = outcome
        incident.closed_by = by
        incident.closed_at = now
        incident.save(update_fields=["status", "outcome", "closed_by", "closed_at"])
        entry = _entry(incident, EntryKind.OUTCOME, by, outcome, data={"from": before})
        audit.record(
            action="incident.closed",
            actor=by,
            school=incident.school,
            obj=incident,
            request=request,
            summary=f"{incident.reference} signed off and closed",
            data={"entry_id": entry.pk},
        )
    return incident


# --- reading (every view is recorded) ----------------------------------------------------


def record_view(*, incident, by, request, evidence=None):
    if evidence is None:
        audit.record(
            action="incident.viewed",
            actor=by,
            school=incident.school,
            obj=incident,
            request=request,
            summary=f"{incident.reference} opened",
        )
    else:
        audit.record(
            action="incident.evidence_viewed",
            actor=by,
            school=incident.school,
            obj=incident,
            request=request,
            summary=f"Evidence {evidence.pk} of {incident.reference} downloaded",
            data={"evidence_id": evidence.pk},
        )


def record_export(*, incident, by, request):
    audit.record(
        action="incident.exported",
        actor=by,
        school=incident.school,
        obj=incident,
        request=request,
        summary=f"{incident.reference} printed as a PDF",
    )


def classify_misuse(*, incident, by, classification, sanction, factors=None, request=None):
    """The head classes a member of staff's misuse (gross, serious or mild) after
    weighing the factors, and records the sanction decided."""
    from .models import MISUSE_FACTORS, MisuseClass

    _require(by, incident, Cap.REVIEW_INCIDENTS, "Only the headteacher can classify staff misuse.")
    if classification not in MisuseClass.values:
        raise ValidationError({"classification": "Choose how serious the misuse was."})
    sanction = sanction.strip()
    if not sanction:
        raise ValidationError({"sanction": "Write the sanction or outcome decided."})
    weighed = {key: (factors or {}).get(key, "").strip() for key, _, _ in MISUSE_FACTORS}
    weighed = {key: text for key, text in weighed.items() if text}
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status == Status.CLOSED:
            raise ValidationError("This incident is closed.")
        if not incident.staff.exists():
            raise ValidationError("Name the member of staff involved (at triage) before classifying the misuse.")
        incident.misuse_classification = classification
        incident.save(update_fields=["misuse_classification"])
        labels = {key: label for key, label, _ in MISUSE_FACTORS}
        entry = _entry(
            incident,
            EntryKind.MISUSE_CLASSIFICATION,
            by,
            sanction,
            data={
                "classification": classification,
                "classification_label": MisuseClass(classification).label,
                "factors": [{"key": k, "label": labels[k], "text": t} for k, t in weighed.items()],
            },
        )
        audit.record(
            action="incident.misuse_classified",
            actor=by,
            school=incident.school,
            obj=incident,
            request=request,
            summary=f"{incident.reference}: staff misuse classified",
            data={"entry_id": entry.pk},
        )
    return incident


# --- pupil outcomes -------------------------------------------------------------------------


def withdraw_ict_access(*, incident, by, pupil, until, reason, note="", request=None):
    """A pupil outcome: ICT access withdrawn until a date. Recorded in the chronology
    (with whatever note the record needs) and as a small record the pupil's teachers
    see: the date and a reason in neutral words, never the incident."""
    from .models import IctWithdrawal
    from .selectors import can_see_record

    access = school_access(by, incident.school)
    if (
        access is None
        or not (access.can(Cap.TRIAGE_INCIDENTS) or access.can(Cap.REVIEW_INCIDENTS))
        or not can_see_record(access, incident)
    ):
        raise ValidationError("Only the DSL or the headteacher can record a pupil outcome.")
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "Write the reason teachers will see, in neutral words."})
    if len(reason) > 200:
        raise ValidationError({"reason": "Keep the reason to 200 characters."})
    if incident.reference.lower() in reason.lower():
        raise ValidationError({"reason": "Leave the incident's reference out: teachers must not be led to it."})
    if until is None or until < timezone.localdate():
        raise ValidationError({"until": "Choose a date from today onwards."})
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status == Status.CLOSED:
            raise ValidationError("This incident is closed.")
        if pupil is None or not incident.pupils.filter(pk=pupil.pk).exists():
            raise ValidationError({"pupil": "Choose a pupil involved in this incident."})
        withdrawal = IctWithdrawal.objects.create(
            school=incident.school, incident=incident, pupil=pupil, until=until, reason=reason, recorded_by=by
        )
        entry = _entry(
            incident,
            EntryKind.PUPIL_OUTCOME,
            by,
            note.strip(),
            data={
                "outcome": "ict_withdrawn",
                "withdrawal_id": withdrawal.pk,
                "pupil_id": pupil.pk,
                "pupil": pupil.full_name,
                "until": until.isoformat(),
                "reason": reason,
            },
        )
        audit.record(
            action="incident.ict_withdrawn",
            actor=by,
            school=incident.school,
            obj=incident,
            request=request,
            # No name here: the audit log is read more widely than the record.
            summary=f"{incident.reference}: a pupil outcome recorded",
            data={"entry_id": entry.pk, "withdrawal_id": withdrawal.pk},
        )
    return withdrawal
