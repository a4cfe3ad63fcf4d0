"""Importing the school's MIS exports: check a file (the dry run), then apply it in
one transaction, then invite the new people in batches."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from core.text import plural

from ..models import RosterImport
from . import columns, files, guard
from .apply import apply_plan
from .plan import PLANNERS, Plan


def check_upload(*, school, kind: str, upload, by, request=None) -> RosterImport:
    """Read and keep an uploaded file for its dry run. Raises ValidationError for a
    file that is not a CSV we can read."""
    csv_file = files.read_upload(upload)
    headings, rows = files.rows(csv_file.text, csv_file.delimiter)  # the headings and rows must parse
    roster_import = RosterImport.objects.create(
        # Parsed once, here: the dry run and the import read the rows kept.
        parsed=files.keep(headings, rows, csv_file.text),
        school=school,
        kind=kind,
        file_name=upload.name[:255],
        file_sha256=csv_file.sha256,
        content=csv_file.text,
        delimiter=csv_file.delimiter,
        uploaded_by=by,
    )
    audit.record(
        action="roster.checked",
        actor=by,
        school=school,
        obj=roster_import,
        request=request,
        summary=f"Checked {roster_import.get_kind_display().lower()} file {roster_import.file_name}",
        data={"sha256": csv_file.sha256},
    )
    return roster_import


@dataclass(frozen=True)
class DryRun:
    headings: list[str]
    columns: columns.ColumnMatch
    plan: Plan | None  # None until every required column is known


def dry_run(roster_import: RosterImport, *, importer=None) -> DryRun:
    school, kind = roster_import.school, roster_import.kind
    headings, rows = files.kept_rows(roster_import.parsed, roster_import.content, roster_import.delimiter)
    matched = columns.match(kind, headings, columns.saved_mappings(school, kind))
    plan = None
    if matched.complete:
        plan = PLANNERS[kind](school, rows, matched.columns, timezone.localdate(), importer=importer)
    return DryRun(headings, matched, plan)


def map_columns(*, roster_import: RosterImport, choices: dict[str, str], by, request=None) -> None:
    """Remember what the school's unfamiliar headings mean ('' to ignore one)."""
    valid = set(columns.fields_for(roster_import.kind)) | {""}
    unknown = [field for field in choices.values() if field not in valid]
    if unknown:
        raise ValidationError("Choose a field from the list for each column.")
    columns.remember(roster_import.school, roster_import.kind, choices)


@transaction.atomic
def apply_import(
    *, roster_import: RosterImport, by, invite: bool = False, confirmed_leavers: int | None = None, request=None
) -> Plan:
    """Apply the file: all of it or, if anything fails, none of it. The plan is
    worked out again here, so it reflects the database at this moment. A file that
    would mark an unusual share as leaving (guard.py) is refused, with nothing
    changed, unless `confirmed_leavers` is that very number of leavers."""
    roster_import = RosterImport.objects.select_for_update().select_related("school").get(pk=roster_import.pk)
    if roster_import.status == RosterImport.Status.APPLIED:
        raise ValidationError("This file has already been imported.")
    run = dry_run(roster_import, importer=by)
    if run.plan is None:
        raise ValidationError("Some columns are not matched yet.")
    warning = guard.leaving_warning(run.plan)
    if warning is not None and confirmed_leavers != warning.leaving:
        raise ValidationError(
            {
                "confirm_leavers": f"Tick “{warning.confirmation}” to import this file. "
                "If that is not what you meant, choose the export of the whole school instead."
            }
        )
    waiting = apply_plan(run.plan, school=roster_import.school, by=by, today=timezone.localdate())
    roster_import.status = RosterImport.Status.APPLIED
    roster_import.applied_by = by
    roster_import.applied_at = timezone.now()
    roster_import.counts = run.plan.counts
    if warning is not None:  # the history shows the extra confirmation was given
        roster_import.counts["leavers_confirmed"] = warning.leaving
    roster_import.problems = [dataclasses.asdict(problem) for problem in run.plan.problems]
    roster_import.content = ""  # the hash and counts are the record; the names live in their tables
    roster_import.parsed = {}
    roster_import.invite_membership_ids = waiting if invite else []
    roster_import.save()
    counts = run.plan.counts
    audit.record(
        action="roster.imported",
        actor=by,
        school=roster_import.school,
        obj=roster_import,
        request=request,
        summary=(
            f"Imported {roster_import.get_kind_display().lower()} from {roster_import.file_name}: "
            f"{counts['added']} added, {counts['updated']} updated, {counts['left']} left, "
            f"{plural(counts['skipped'], 'row')} skipped"
        ),
        data={
            "sha256": roster_import.file_sha256,
            "counts": counts,
            "invitations": len(waiting) if invite else 0,
            "leavers_confirmed": warning.leaving if warning else None,
        },
    )
    if invite and waiting:
        from ..tasks import send_roster_invitations

        send_roster_invitations.delay_on_commit(roster_import.pk)
    return run.plan
