"""The printed list of who has not signed a form (of a group, or of everyone): made
by the worker (core.prepared), because a parents' form of a whole school is 20,000
pupils, hundreds of pages.

It is rendered in parts of `PART_SIZE` rows read a chunk at a time (never the whole
list in memory, never one WeasyPrint document of the whole school), counting progress
after each part, and the parts are joined into one PDF with pypdf."""

from __future__ import annotations

import io
from itertools import islice

from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone

from aup.models import AgreementForm
from core import prepared as prepared_files
from core.models import PreparedFile
from schools.models import SchoolClass, YearGroup

from . import drilldown
from .compliance import EVERYONE, GroupFilter
from .pdf import render_pdf, uk_datetime

KIND = "agreements.outstanding_pdf"
# Rows per rendered part: small enough that WeasyPrint's memory stays flat, large
# enough that the parts' fixed cost (fonts, layout set-up) is a small share.
PART_SIZE = 250


def params_for(form: AgreementForm, group: GroupFilter) -> dict:
    return {"form_id": form.pk, **{k: str(v) for k, v in group.query.items()}}


def group_from(school_id: int, params: dict) -> GroupFilter:
    """The group saved with the request, looked up again in the same school."""
    if params.get("class"):
        return GroupFilter(
            school_class=get_object_or_404(
                SchoolClass.objects.select_related("year_group"), pk=int(params["class"]), school_id=school_id
            )
        )
    if params.get("year"):
        return GroupFilter(year_group=get_object_or_404(YearGroup, school_id=school_id, code=params["year"]))
    if "type" in params:
        return GroupFilter(staff_type="" if params["type"] == "none" else params["type"])
    return EVERYONE


def title_for(form: AgreementForm, group: GroupFilter) -> str:
    whom = f" in {group.label}" if group.query else ""
    return f"Not signed yet{whom}: {form.title}"


def _part_html(*, school, form, group, rows, first, total, printed_at) -> str:
    return render_to_string(
        "agreements/outstanding_pdf.html",
        {
            "school": school,
            "agreement": form,
            "group": group,
            "rows": rows,
            "first": first,
            "last": first + len(rows) - 1,
            "total": total,
            "printed_at": uk_datetime(printed_at),
            "printed_on": timezone.localtime(printed_at).strftime("%d/%m/%Y"),
        },
    )


def make(prepared: PreparedFile) -> None:
    """Render the list the request describes into `prepared`, counting progress."""
    from pypdf import PdfWriter

    school = prepared.school
    form = get_object_or_404(
        AgreementForm.objects.select_related("version__policy__school"),
        pk=prepared.params["form_id"],
        version__policy__school=school,
    )
    group = group_from(school.pk, prepared.params)
    waiting = drilldown.outstanding(drilldown.people(form, group))
    total = waiting.count()
    prepared_files.started(prepared, total=total)
    printed_at = timezone.now()
    writer = PdfWriter()
    rows = drilldown.iter_rows(form, waiting, chunk_size=PART_SIZE)
    done = 0
    while True:
        part = list(islice(rows, PART_SIZE))
        if not part and done:
            break
        html = _part_html(
            school=school, form=form, group=group, rows=part, first=done + 1, total=total, printed_at=printed_at
        )
        writer.append(io.BytesIO(render_pdf(html)))
        done += len(part)
        prepared_files.advanced(prepared, done=done)
        if not part:
            break  # nobody outstanding: one page that says so
    writer.add_metadata({"/Title": prepared.title, "/Author": school.name})
    out = io.BytesIO()
    writer.write(out)
    filename = f"{school.slug}-form-{form.pk}-not-signed-{timezone.localdate():%Y-%m-%d}.pdf"
    prepared_files.finished(prepared, content=out.getvalue(), filename=filename)
