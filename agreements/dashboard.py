"""The compliance dashboard: per school (/s/<school>/compliance/...) and rolled up for
a trust (/t/<trust>/compliance/). Thin views over agreements.compliance."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from aup.models import AgreementForm, Audience, VersionStatus
from core import downloads
from core.roles import Cap
from core.tenancy import school_view, trust_view
from schools.models import SchoolClass, StaffType, YearGroup

from .compliance import (
    AUDIENCE_ORDER,
    EVERYONE,
    PUPIL_AUDIENCES,
    GroupFilter,
    compliance_for_schools,
    parent_rows,
    pupil_rows,
    remind_recipients,
    school_compliance,
    staff_rows,
    visitor_rows,
)
from .pdf import render_pdf, uk_datetime


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


def _rows(form, group):
    if form.audience == Audience.STAFF:
        return staff_rows(form, group)
    if form.audience == Audience.PARENTS:
        return parent_rows(form, group)
    if form.audience in PUPIL_AUDIENCES:
        return pupil_rows(form, group)
    return visitor_rows(form)


def _with_query(url: str, group: GroupFilter) -> str:
    return f"{url}?{urlencode(group.query)}" if group.query else url


@school_view(Cap.VIEW_COMPLIANCE)
def compliance_form(request, form_id):
    agreement = _compliance_form(request, form_id)
    group = _group(request, agreement, request.GET)
    rows = _rows(agreement, group)
    context = {"agreement": agreement, "group": group, "rows": rows}
    if agreement.audience == Audience.VISITORS:
        today = timezone.localdate()
        context["visitors_today"] = sum(1 for s in rows if timezone.localdate(s.signed_at) == today)
    else:
        context["outstanding"] = [r for r in rows if not r.signed]
        context["signed"] = [r for r in rows if r.signed]
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
    recipients = remind_recipients(agreement, group)
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

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A spreadsheet must not run a cell as a formula: a leading apostrophe makes it text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


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
        for row in rows:
            carers = "; ".join(
                f"{c.user.full_name} <{c.user.email}>{' (signed)' if c.signed else ''}" for c in row.carers
            )
            yield [
                row.pupil.last_name,
                row.pupil.first_name,
                row.pupil.year_group.name,
                _class_name(row.pupil),
                "Signed" if row.signed else "Outstanding",
                carers,
                "; ".join(s.signer_name for s in row.signatures),
                "; ".join(_uk(s.signed_at) for s in row.signatures),
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


@school_view(Cap.VIEW_COMPLIANCE)
def compliance_csv(request, form_id):
    agreement = _compliance_form(request, form_id)
    group = _group(request, agreement, request.GET)
    response = downloads.content_response(
        request,
        filename=f"{request.school.slug}-form-{agreement.pk}-status.csv",
        content_type="text/csv; charset=utf-8",
        action="agreement.compliance_downloaded",
        summary="Compliance list downloaded as CSV",
        obj=agreement,
        data={"format": "csv"},
    )
    writer = csv.writer(response)
    for line in _csv_rows(agreement, _rows(agreement, group)):
        writer.writerow(csv_safe(v) for v in line)
    return response


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
