"""The compliance dashboard: per school (/s/<school>/compliance/...) and rolled up for
a trust (/t/<trust>/compliance/). Thin views over agreements.compliance."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from aup.models import AgreementForm, Audience, VersionStatus
from core import downloads
from core import prepared as prepared_files
from core.roles import Cap
from core.tenancy import school_view, trust_view
from schools.models import SchoolClass, StaffType, YearGroup

from . import drilldown, outstanding_pdf
from .compliance import (
    AUDIENCE_ORDER,
    EVERYONE,
    PUPIL_AUDIENCES,
    GroupFilter,
    compliance_for_schools,
    school_compliance,
)
from .pdf import render_pdf, uk_datetime

PAGE_SIZE = 50


@school_view(Cap.VIEW_COMPLIANCE)
def compliance(request):
    return render(request, "agreements/compliance.html", {"results": school_compliance(request.school)})


def _compliance_form(request, form_id) -> AgreementForm:
    """A published form of this school, any audience; 404 otherwise."""
    form = get_object_or_404(
        AgreementForm.objects.select_related("version__policy"),
        pk=form_id,
        version__policy__school=request.school,
        version__status=VersionStatus.PUBLISHED,
        audience__in=AUDIENCE_ORDER,  # not loan conditions: nobody is outstanding for them
    )
    form.version.policy.school = request.school
    return form


def _group(request, form, data) -> GroupFilter:
    """The group asked for (?class=<id>, ?year=<code> or ?type=<staff type>),
    checked against the school and the form's audience: anything else is 404."""
    class_id, year, staff_type = data.get("class"), data.get("year"), data.get("type")
    if class_id:
        if form.audience not in PUPIL_AUDIENCES or not class_id.isdigit():
            raise Http404("No such class.")
        school_class = get_object_or_404(
            SchoolClass.objects.select_related("year_group"), pk=int(class_id), school=request.school
        )
        return GroupFilter(school_class=school_class)
    if year:
        if form.audience not in PUPIL_AUDIENCES:
            raise Http404("No such year group.")
        return GroupFilter(year_group=get_object_or_404(YearGroup, school=request.school, code=year))
    if staff_type:
        if form.audience != Audience.STAFF or (staff_type != "none" and staff_type not in StaffType.values):
            raise Http404("No such type of staff.")
        return GroupFilter(staff_type="" if staff_type == "none" else staff_type)
    return EVERYONE


class CountedPaginator(Paginator):
    """A paginator told its count: both lists' counts come from one query."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count


def _with_query(url: str, group: GroupFilter) -> str:
    return f"{url}?{urlencode(group.query)}" if group.query else url


@school_view(Cap.VIEW_COMPLIANCE)
def compliance_form(request, form_id):
    """Who has not signed and who has, a page of each at a time (?page= and
    ?signed_page=), counted in SQL: a whole school's parents' form is 20,000 pupils."""
    agreement = _compliance_form(request, form_id)
    group = _group(request, agreement, request.GET)
    context = {"agreement": agreement, "group": group}
    if agreement.audience == Audience.VISITORS:
        rows = drilldown.visitor_rows(agreement)
        today = timezone.localdate()
        context["rows"] = rows
        context["visitors_today"] = sum(1 for s in rows if timezone.localdate(s.signed_at) == today)
    else:
        people = drilldown.people(agreement, group)
        signed, outstanding = drilldown.counts(people)
        for name, subset, count, param in (
            ("outstanding", drilldown.outstanding(people), outstanding, "page"),
            ("signed", drilldown.signed(people), signed, "signed_page"),
        ):
            page = CountedPaginator(subset, PAGE_SIZE, count=count).get_page(request.GET.get(param))
            context[f"{name}_page"] = page
            context[name] = drilldown.rows_for(agreement, page.object_list)  # this page's rows
            context[f"{name}_count"] = page.paginator.count
        base = reverse("agreements:compliance_print", args=[request.school.slug, agreement.pk])
        context["print_url"] = base
    base = reverse("agreements:compliance_csv", args=[request.school.slug, agreement.pk])
    context["csv_url"] = _with_query(base, group)
    return render(request, "agreements/compliance_form.html", context)


@school_view(Cap.VIEW_COMPLIANCE)
@require_POST
def compliance_remind(request, form_id):
    """ "Remind now": email the outstanding people of a form's group (or of the whole
    form) straight away, through the reminders app."""
    agreement = _compliance_form(request, form_id)
    if agreement.audience == Audience.VISITORS:
        raise Http404("Visitors are not reminded.")
    group = _group(request, agreement, request.POST)
    recipients = drilldown.remind_recipients(agreement, group)
    back = _with_query(reverse("agreements:compliance_form", args=[request.school.slug, agreement.pk]), group)
    if not recipients:
        messages.info(request, "Nobody needs a reminder: everyone in this group has signed.")
        return redirect(back)
    from reminders.services import remind_now

    count = remind_now(
        school=request.school, form=agreement, recipients=recipients, requested_by=request.user, request=request
    )
    messages.success(request, f"{count} {'person' if count == 1 else 'people'} will be reminded.")
    return redirect(back)


# --- CSV ------------------------------------------------------------------------------


def _uk(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def _class_name(pupil) -> str:
    return pupil.school_class.name if pupil.school_class_id else ""


def _csv_rows(agreement, rows):
    """The header and the rows of the drill-down's CSV, for the form's audience."""
    if agreement.audience == Audience.STAFF:
        yield ["Last name", "First name", "Email", "Staff type", "Job title", "Status", "Signed on", "Code"]
        for row in rows:
            user = row.membership.user
            yield [
                user.last_name,
                user.first_name,
                user.email,
                row.membership.get_staff_type_display(),
                row.membership.job_title,
                "Signed" if row.signed else "Outstanding",
                _uk(row.signature.signed_at) if row.signed else "",
                row.signature.verification_code if row.signed else "",
            ]
    elif agreement.audience == Audience.PARENTS:
        yield [
            "Pupil last name",
            "Pupil first name",
            "Year group",
            "Class",
            "Status",
            "Carers with parental responsibility",
            "Signed by",
            "Signed on",
        ]
        # Flat values (drilldown.parent_csv_values): the longest list of all.
        for last_name, first_name, year_group, class_name, signed, carers, signatures in rows:
            yield [
                last_name,
                first_name,
                year_group,
                class_name,
                "Signed" if signed else "Outstanding",
                "; ".join(f"{name} <{email}>{' (signed)' if done else ''}" for name, email, done in carers),
                "; ".join(name for name, _ in signatures),
                "; ".join(_uk(signed_at) for _, signed_at in signatures),
            ]
    elif agreement.audience in PUPIL_AUDIENCES:
        yield ["Last name", "First name", "Year group", "Class", "Status", "Signed on", "How", "Code"]
        for row in rows:
            signature = row.signature
            yield [
                row.pupil.last_name,
                row.pupil.first_name,
                row.pupil.year_group.name,
                _class_name(row.pupil),
                "Signed" if row.signed else ("Waiting for parent" if row.waiting_for_parent else "Outstanding"),
                _uk(signature.signed_at) if signature else "",
                signature.how if signature else "",
                signature.verification_code if signature else "",
            ]
    else:
        yield ["Name", "Organisation", "Signed at", "Code"]
        for signature in rows:
            yield [
                signature.signer_name,
                signature.details.get("organisation", ""),
                _uk(signature.signed_at),
                signature.verification_code,
            ]


def _csv_source(agreement, group):
    if agreement.audience == Audience.VISITORS:
        return drilldown.visitor_rows(agreement)
    people = drilldown.people(agreement, group)
    if agreement.audience == Audience.PARENTS:
        return drilldown.parent_csv_values(agreement, people)
    return drilldown.iter_rows(agreement, people)


@school_view(Cap.VIEW_COMPLIANCE)
def compliance_csv(request, form_id):
    """The drill-down's people as CSV, streamed a chunk of rows at a time."""
    agreement = _compliance_form(request, form_id)
    group = _group(request, agreement, request.GET)
    return downloads.csv_response(
        request,
        _csv_rows(agreement, _csv_source(agreement, group)),
        filename=f"{request.school.slug}-form-{agreement.pk}-status.csv",
        action="agreement.compliance_downloaded",
        summary="Compliance list downloaded as CSV",
        obj=agreement,
        data={"format": "csv"},
    )


# --- The printed list of who has not signed (made by the worker) ------------------------


@school_view(Cap.VIEW_COMPLIANCE)
@require_POST
def compliance_print(request, form_id):
    """Ask the worker for the printed list of who has not signed (the group's, or
    everyone's), then watch its progress."""
    agreement = _compliance_form(request, form_id)
    if agreement.audience == Audience.VISITORS:
        raise Http404("Visitors are not outstanding.")
    group = _group(request, agreement, request.POST)
    from .tasks import make_outstanding_list_pdf

    back = _with_query(reverse("agreements:compliance_form", args=[request.school.slug, agreement.pk]), group)
    prepared = prepared_files.request_file(
        request=request,
        kind=outstanding_pdf.KIND,
        title=outstanding_pdf.title_for(agreement, group),
        params=outstanding_pdf.params_for(agreement, group),
        back_url=back,
        task=make_outstanding_list_pdf,
    )
    return redirect("agreements:compliance_printing", school_slug=request.school.slug, prepared_id=prepared.pk)


@school_view(Cap.VIEW_COMPLIANCE)
def compliance_printing(request, prepared_id):
    """The progress of a printed list, polled by the page until it is ready."""
    prepared = prepared_files.prepared_for(request, prepared_id, kind=outstanding_pdf.KIND)
    download_url = reverse("agreements:compliance_printed", args=[request.school.slug, prepared.pk])
    return render(request, "core/prepared_file.html", {"prepared": prepared, "download_url": download_url})


@school_view(Cap.VIEW_COMPLIANCE)
def compliance_printed(request, prepared_id):
    prepared = prepared_files.prepared_for(request, prepared_id, kind=outstanding_pdf.KIND)
    return prepared_files.download(
        request,
        prepared,
        content_type="application/pdf",
        action="agreement.compliance_downloaded",
        summary="List of who has not signed downloaded as PDF",
    )


# --- Printable PDF --------------------------------------------------------------------


@school_view(Cap.VIEW_COMPLIANCE)
def compliance_pdf(request):
    """The dashboard on paper: every form with its groups and numbers, rendered
    synchronously (a summary, a page or a few)."""
    now = timezone.now()
    html = render_to_string(
        "agreements/compliance_pdf.html",
        {
            "school": request.school,
            "results": school_compliance(request.school),
            "printed_on": timezone.localtime(now).strftime("%d/%m/%Y"),
            "printed_at_uk": uk_datetime(now),
        },
    )
    return downloads.content_response(
        request,
        render_pdf(html),
        filename=f"{request.school.slug}-signed-agreements-{timezone.localdate():%Y-%m-%d}.pdf",
        content_type="application/pdf",
        attachment=False,
        action="agreement.compliance_downloaded",
        summary="Compliance summary downloaded as PDF",
        data={"format": "pdf"},
    )


# --- The trust ------------------------------------------------------------------------


@trust_view(Cap.VIEW_COMPLIANCE)
def trust_compliance(request):
    """Every school of the trust: signed, outstanding and the share signed per policy
    and audience, in the same queries however many schools."""
    schools = list(request.trust.schools.order_by("name"))
    results = compliance_for_schools(schools, by_group=False)
    rows = [(school, results[school.pk]) for school in schools]
    return render(request, "agreements/trust_compliance.html", {"trust": request.trust, "rows": rows})
