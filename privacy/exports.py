"""Building a subject access export (the worker's job) and removing it after 30 days.

The ZIP holds:
- index.html: a readable page of everything, with links to the files, that opens in
  any browser without the portal;
- summary.pdf: the same, printed (PDF/A, core.pdf);
- data.json: the person's data as each area keeps it;
- signed/, consent/: the signed PDFs and consent record PDFs about them;
- TO-REVIEW.txt: what a person must read before the export is released.

Progress is saved after each area (steps_done of steps_total), so the page that
started it can show how far it has got.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core import audit
from core.pdf import render_pdf, uk_date, uk_datetime
from core.subject_access import CARER, PUPIL, STAFF, Subject, providers

from .models import EXPORT_KEPT_FOR, ExportStatus, SubjectAccessExport

REMOVE_BATCH = 100
SUBJECT_LABELS = {PUPIL: "a pupil", CARER: "a parent or carer", STAFF: "a member of staff"}


def subject_of(export: SubjectAccessExport) -> Subject | None:
    if export.subject_kind == PUPIL:
        if export.pupil is None:
            return None
        return Subject(PUPIL, export.school, pupil=export.pupil)
    if export.person is None:
        return None
    membership = None
    if export.subject_kind == STAFF:
        Membership = apps.get_model("schools", "Membership")
        membership = (
            Membership.objects.filter(user=export.person, school=export.school).prefetch_related("roles").first()
        )
        if membership is None:
            return None
    return Subject(export.subject_kind, export.school, user=export.person, membership=membership)


LABELS = {"upn": "UPN", "mis_id": "MIS id", "ip_address": "IP address", "user_agent": "Browser (user agent)"}


def _label(key: str) -> str:
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return uk_datetime(datetime.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return uk_date(datetime.date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value) or "—"
    return str(value)


def display_rows(record: dict) -> list[dict]:
    """A record as rows for the HTML and the PDF: {"label", "text"} or, for a list of
    records (an incident's chronology, a loan's devices), {"label", "rows": [[...]]}."""
    rows = []
    for key, value in record.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            rows.append({"label": _label(key), "nested": [display_rows(v) for v in value]})
        else:
            rows.append({"label": _label(key), "text": _text(value)})
    return rows


def _save_progress(export, **fields):
    for name, value in fields.items():
        setattr(export, name, value)
    SubjectAccessExport.objects.filter(pk=export.pk).update(**fields)


def build(export_id: int) -> SubjectAccessExport | None:
    """Make the export's ZIP. Safe to run twice: only a queued export (or one a worker
    died building) is built, and building again starts from the beginning."""
    with transaction.atomic():
        export = (
            SubjectAccessExport.objects.select_for_update(of=("self",))
            .select_related("school", "pupil__year_group", "pupil__school_class", "person")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.status not in (ExportStatus.QUEUED, ExportStatus.BUILDING):
            return export
        functions = providers()
        # One step per area, then one to write the ZIP.
        SubjectAccessExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.BUILDING, steps_done=0, steps_total=len(functions) + 1
        )
        export.status, export.steps_done, export.steps_total = ExportStatus.BUILDING, 0, len(functions) + 1
    try:
        subject = subject_of(export)
        if subject is None:
            raise LookupError("The person is no longer on the school's records.")
        parts = []
        for function in functions:
            part = function(subject)
            if part is not None:
                parts.append(part)
            _save_progress(export, steps_done=export.steps_done + 1)
        content, to_review = package(export, subject, parts)
        export.file.save(f"subject-access-{export.pk}.zip", ContentFile(content), save=False)
        _save_progress(
            export,
            file=export.file.name,
            size=len(content),
            to_review=to_review,
            status=ExportStatus.READY,
            ready_at=timezone.now(),
            steps_done=export.steps_total,
        )
    except Exception:
        _save_progress(export, status=ExportStatus.FAILED)
        raise
    audit.record(
        action="privacy.export_ready",
        school=export.school,
        obj=export,
        summary="A subject access export is ready to check and download",
    )
    return export


def package(export, subject, parts) -> tuple[bytes, list[str]]:
    made_at = timezone.now()
    to_review = [line for part in parts for line in part.to_review]
    files, seen = [], set()
    for part in parts:
        for file in part.files:
            if file.path not in seen:  # a loan receipt is also a signed agreement
                seen.add(file.path)
                files.append(file)
    data = {
        "school": export.school.name,
        "about": {"kind": subject.kind, "name": subject.name},
        "made_at": made_at.isoformat(),
        "export_reference": export.pk,
        **{part.key: part.records for part in parts},
        "files": [{"path": f.path, "title": f.title} for f in files],
        "to_review_before_release": to_review,
    }
    context = {
        "school": export.school,
        "subject": subject,
        "subject_label": SUBJECT_LABELS[subject.kind],
        "made_at": uk_datetime(made_at),
        "parts": [
            {"title": part.title, "key": part.key, "records": [display_rows(r) for r in part.records]} for part in parts
        ],
        "files": files,
        "to_review": to_review,
        "export": export,
    }
    summary_pdf = render_pdf(render_to_string("privacy/export/summary_pdf.html", context))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", render_to_string("privacy/export/index.html", context))
        archive.writestr("summary.pdf", summary_pdf)
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        review_text = "\n".join(f"- {line}" for line in to_review) or "Nothing was found that needs a person to check."
        archive.writestr("TO-REVIEW.txt", "Check before release:\n" + review_text + "\n")
        for file in files:
            with file.file.open("rb") as handle:
                archive.writestr(file.path, handle.read())
    return buffer.getvalue(), to_review


def remove_expired(now=None) -> int:
    """Remove each export (file and contents) 30 days after it was asked for, in
    batches; the row stays, so the list still says who made it and when."""
    now = now or timezone.now()
    removed = 0
    while True:
        batch = list(
            SubjectAccessExport.objects.filter(removed_at__isnull=True, created_at__lte=now - EXPORT_KEPT_FOR)
            .select_related("school")
            .order_by("pk")[:REMOVE_BATCH]
        )
        if not batch:
            return removed
        for export in batch:
            if export.file:
                export.file.delete(save=False)
            SubjectAccessExport.objects.filter(pk=export.pk).update(
                file="", to_review=[], status=ExportStatus.REMOVED, removed_at=now
            )
        audit.record_many(
            [
                audit.event(
                    action="privacy.export_removed",
                    school=export.school,
                    obj=export,
                    summary="A subject access export removed after 30 days",
                )
                for export in batch
            ]
        )
        removed += len(batch)
