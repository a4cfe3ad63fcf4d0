"""The MIS import pages: upload, read the dry run, map unfamiliar columns, confirm,
watch the invitations go out."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view

from .forms import ColumnChoiceForm, RosterApplyForm, RosterUploadForm
from .models import RosterImport
from .roster import columns, guard, samples
from .roster import services as roster


def _import_for(request, import_id):
    return get_object_or_404(
        RosterImport.objects.select_related("uploaded_by", "applied_by"), school=request.school, pk=import_id
    )


@school_view(Cap.IMPORT_ROSTER)
def import_home(request):
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            roster_import = roster.check_upload(
                school=request.school,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("schools:import", school_slug=request.school.slug, import_id=roster_import.pk)
    history = (
        RosterImport.objects.filter(school=request.school)
        .select_related("uploaded_by", "applied_by")
        .defer("content", "parsed")[:5]
    )
    status = 400 if form.errors else 200
    context = {
        "form": form,
        "history": history,
        "kinds": [(kind, name, samples.headings(kind)) for kind, name in samples.kinds()],
    }
    return render(request, "schools/roster/home.html", context, status=status)


@school_view(Cap.IMPORT_ROSTER)
def import_history(request):
    """Every file checked or imported: who, when, its SHA-256, what it did and the
    rows it could not use. One page of 25 at a time, in a fixed number of queries."""
    imports = RosterImport.objects.filter(school=request.school).select_related("uploaded_by", "applied_by")
    page = Paginator(imports.defer("content", "parsed"), 25).get_page(request.GET.get("page"))
    return render(request, "schools/roster/history.html", {"page": page})


@school_view(Cap.IMPORT_ROSTER)
def import_sample(request):
    """A one-row sample file (?kind=pupils, the default, contacts or staff) with every heading the
    import reads (roster/samples.py)."""
    kind = request.GET.get("kind") or "pupils"
    if kind not in columns.FIELDS:
        raise Http404("No such kind of file.")
    response = HttpResponse(samples.sample_csv(kind).encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sample-{kind}.csv"'
    return response


@school_view(Cap.IMPORT_ROSTER)
def import_detail(request, import_id):
    return _render_detail(request, _import_for(request, import_id))


def _render_detail(request, roster_import, column_form=None, status=200, apply_data=None, apply_errors=None):
    context = {"roster_import": roster_import}
    if roster_import.status == RosterImport.Status.CHECKED:
        run = roster.dry_run(roster_import, importer=request.user)
        context["run"] = run
        if run.columns.unknown or run.columns.missing:
            context["column_form"] = column_form or ColumnChoiceForm(
                headings=run.columns.unknown, fields=columns.FIELDS[roster_import.kind]
            )
            labels = columns.fields_for(roster_import.kind)
            context["missing"] = [" or ".join(labels[name].label for name in group) for group in run.columns.missing]
        warning = guard.leaving_warning(run.plan) if run.plan else None
        apply_form = RosterApplyForm(apply_data, warning=warning)
        if apply_errors:
            apply_form.is_valid()
            for field, errors in apply_errors.items():
                apply_form.add_error(field if field in apply_form.fields else None, errors)
        context["apply_form"], context["warning"] = apply_form, warning
    return render(request, "schools/roster/detail.html", context, status=status)


@school_view(Cap.IMPORT_ROSTER)
@require_POST
def import_columns(request, import_id):
    roster_import = _import_for(request, import_id)
    if roster_import.status != RosterImport.Status.CHECKED:
        # Its content is gone once applied: there is nothing left to map.
        messages.error(request, "This file has already been imported.")
        return redirect("schools:import", school_slug=request.school.slug, import_id=roster_import.pk)
    run = roster.dry_run(roster_import, importer=request.user)
    form = ColumnChoiceForm(request.POST, headings=run.columns.unknown, fields=columns.FIELDS[roster_import.kind])
    if form.is_valid():
        try:
            roster.map_columns(roster_import=roster_import, choices=form.choices(), by=request.user, request=request)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Columns saved. We will remember them for this school's next files.")
            return redirect("schools:import", school_slug=request.school.slug, import_id=roster_import.pk)
    return _render_detail(request, roster_import, column_form=form, status=400)


@school_view(Cap.IMPORT_ROSTER)
@require_POST
def import_apply(request, import_id):
    roster_import = _import_for(request, import_id)
    form = RosterApplyForm(request.POST, reading=True)
    if form.is_valid():
        try:
            plan = roster.apply_import(
                roster_import=roster_import,
                by=request.user,
                invite=form.cleaned_data["invite"],
                confirmed_leavers=form.confirmed_leavers(),
                request=request,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "confirm_leavers" in error.error_dict:
                return _render_detail(
                    request, roster_import, status=400, apply_data=request.POST, apply_errors=error.message_dict
                )
            messages.error(request, " ".join(error.messages))
        else:
            counts = plan.counts
            messages.success(
                request,
                f"Imported: {counts['added']} added, {counts['updated']} updated, {counts['left']} marked as left.",
            )
    return redirect("schools:import", school_slug=request.school.slug, import_id=roster_import.pk)


@school_view(Cap.IMPORT_ROSTER)
def import_progress(request, import_id):
    """The invitations' progress, polled by the page every few seconds."""
    return render(request, "schools/roster/_progress.html", {"roster_import": _import_for(request, import_id)})
