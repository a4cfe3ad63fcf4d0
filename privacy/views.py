"""The data protection pages: people's requests and their one-month deadlines,
subject access exports (started here, built by the worker, downloaded once), and the
school's privacy notice (edited here, read by anyone at /privacy/<school>/)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import downloads
from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view
from schools.models import School

from . import selectors, services
from .forms import DecisionForm, ExportForm, NoticeForm, RightsRequestForm
from .notice import blocks


def _request(request, rights_request_id):
    found = selectors.request_of_school(request.school, rights_request_id)
    if found is None:
        raise Http404("No such request.")
    return found


def _export(request, export_id):
    found = selectors.export_of_school(request.school, export_id)
    if found is None:
        raise Http404("No such export.")
    return found


@school_view(Cap.HANDLE_SUBJECT_ACCESS)
def home(request):
    today = timezone.localdate()
    return render(
        request,
        "privacy/home.html",
        {
            "open_requests": list(selectors.open_requests(request.school)),
            "decided_requests": list(selectors.decided_requests(request.school)),
            "exports": list(selectors.exports_of(request.school)),
            "today": today,
            "due_soon": selectors.due_soon(today),
        },
    )


@school_view(Cap.HANDLE_SUBJECT_ACCESS)
def request_new(request):
    form = RightsRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            rights_request = services.record_request(
                school=request.school, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"The request is recorded. Answer it by {rights_request.due_on:%-d %B %Y}.")
            return redirect("privacy:request", school_slug=request.school.slug, rights_request_id=rights_request.pk)
    return render(request, "privacy/request_new.html", {"form": form}, status=400 if form.errors else 200)


@school_view(Cap.HANDLE_SUBJECT_ACCESS)
def request_detail(request, rights_request_id):
    rights_request = _request(request, rights_request_id)
    form = DecisionForm(request.POST if request.method == "POST" else None) if rights_request.is_open else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_request(
                rights_request=rights_request,
                by=request.user,
                decision=data["decision"],
                notes=data["notes"],
                decided_on=data["decided_on"],
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The decision is recorded.")
            return redirect("privacy:request", school_slug=request.school.slug, rights_request_id=rights_request.pk)
    return render(
        request,
        "privacy/request.html",
        {
            "rights_request": rights_request,
            "form": form,
            "exports": rights_request.exports.order_by("-created_at"),
            "today": timezone.localdate(),
        },
        status=400 if form is not None and form.errors else 200,
    )


@school_view(Cap.HANDLE_SUBJECT_ACCESS)
def export_new(request):
    rights_request = None
    rights_request_id = request.GET.get("request") or request.POST.get("request")
    if rights_request_id and str(rights_request_id).isdigit():
        rights_request = _request(request, int(rights_request_id))
    form = ExportForm(request.POST if request.method == "POST" else None, access=request.access)
    if request.method == "POST" and form.is_valid():
        kind, pupil, person = form.subject()
        try:
            export = services.start_export(
                school=request.school,
                by=request.user,
                subject_kind=kind,
                pupil=pupil,
                person=person,
                rights_request=rights_request,
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("privacy:export", school_slug=request.school.slug, export_id=export.pk)
    return render(
        request,
        "privacy/export_new.html",
        {"form": form, "rights_request": rights_request},
        status=400 if form.errors else 200,
    )


@school_view(Cap.HANDLE_SUBJECT_ACCESS)
def export_detail(request, export_id):
    export = _export(request, export_id)
    template = "privacy/_export_status.html" if request.headers.get("HX-Request") else "privacy/export.html"
    return render(request, template, {"export": export})


@school_view(Cap.HANDLE_SUBJECT_ACCESS)
@require_POST
def export_download(request, export_id):
    export = _export(request, export_id)
    if export.to_review and not request.POST.get("reviewed"):
        messages.error(request, "Confirm that you will check the listed items before you release the export.")
        return redirect("privacy:export", school_slug=request.school.slug, export_id=export.pk)
    try:
        export = services.claim_download(export=export, by=request.user)
    except services.AlreadyDownloaded as error:
        messages.error(request, error.messages[0])
        return redirect("privacy:export", school_slug=request.school.slug, export_id=export.pk)
    return downloads.file_response(
        request,
        export.file.open("rb"),
        filename=f"subject-access-{export.pk}.zip",
        content_type="application/zip",
        action="privacy.export_downloaded",
        summary="A subject access export downloaded",
        obj=export,
    )


@school_view(Cap.MANAGE_SCHOOL_SETTINGS)
def notice_edit(request):
    notice = selectors.notice_for(request.school)
    form = NoticeForm(request.POST if request.method == "POST" else None, instance=notice)
    if request.method == "POST" and form.is_valid():
        services.save_notice(school=request.school, by=request.user, request=request, **form.cleaned_data)
        messages.success(request, "The privacy notice is saved.")
        return redirect("privacy:notice_edit", school_slug=request.school.slug)
    return render(
        request, "privacy/notice_edit.html", {"form": form, "notice": notice}, status=400 if form.errors else 200
    )


def notice_public(request, school_slug):
    """Anyone may read a school's privacy notice: no sign-in."""
    school = get_object_or_404(School, slug=school_slug)
    notice = selectors.notice_for(school)
    return render(request, "privacy/notice.html", {"school": school, "notice": notice, "blocks": blocks(notice.body)})
