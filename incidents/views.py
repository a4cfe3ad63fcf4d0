"""The incident log's pages. Every page that shows an incident, and every download of
its evidence, is written to the audit log."""

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import downloads
from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view

from . import selectors, services
from .clock import ico_clock
from .forms import (
    AddToReportForm,
    CloseForm,
    EntryForm,
    ICODecisionForm,
    IctWithdrawalForm,
    InvestigatorEvidenceForm,
    LogFilterForm,
    MisuseForm,
    ReportForm,
    StatusForm,
    TriageForm,
    now_for_input,
)
from .models import ICODecision, IncidentEvidence, Status
from .retention import retention_for

PAGE_SIZE = 50


def _detail(request, incident):
    return redirect("incidents:detail", school_slug=request.school.slug, incident_id=incident.pk)


@school_view(Cap.REPORT_INCIDENT)
def report(request):
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        access=request.access,
        initial={"occurred_at": now_for_input(), "submission_key": secrets.token_urlsafe(24)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.report_incident(
                school=request.school,
                reported_by=request.user,
                occurred_at=data["occurred_at"],
                category=data["category"],
                description=data["description"],
                submission_key=data["submission_key"],
                location=data["location"],
                immediate_action=data["immediate_action"],
                others_involved=data["others_involved"],
                pupils=data.get("pupils", []),
                staff=data["staff"],
                personal_data_breach=data["personal_data_breach"],
                evidence=data.get("evidence"),
                evidence_taken_at=data.get("taken_at"),
                evidence_description=data.get("evidence_description", ""),
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                f"Thank you. Your report {incident.reference} has been sent to the DSL and the e-safety lead.",
            )
            return _detail(request, incident)
    status = 400 if form.errors else 200
    return render(request, "incidents/report.html", {"form": form}, status=status)


@school_view(Cap.REPORT_INCIDENT)
def mine(request):
    incidents = selectors.my_reports(request.school, request.user)
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "incidents/mine.html", {"page": page, "incidents": page.object_list})


@school_view(Cap.VIEW_INCIDENT_LOG)
def log(request):
    filters = LogFilterForm(request.GET or None, access=request.access)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    incidents = selectors.incident_log(
        request.access,
        category=criteria.get("category", ""),
        status=criteria.get("status", ""),
        reported_from=criteria.get("reported_from"),
        reported_to=criteria.get("reported_to"),
        pupil=criteria.get("pupil"),
    )
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    clocks = [(i, ico_clock(i)) for i in selectors.open_breaches(request.access)[:20]]
    return render(
        request,
        "incidents/log.html",
        {"filters": filters, "page": page, "incidents": page.object_list, "query": query.urlencode(), "clocks": clocks},
    )


@school_view(Cap.REVIEW_INCIDENTS)
def review_queue(request):
    incidents = list(selectors.review_queue(request.access)[:200])
    clocks = [(i, ico_clock(i)) for i in selectors.open_breaches(request.access)[:20]]
    return render(request, "incidents/review_queue.html", {"incidents": incidents, "clocks": clocks})


def _forms(request, incident, bound=None):
    """The forms of the incident page the person may use, unbound unless `bound`."""
    access, school = request.access, request.school
    forms = {}
    if incident.status == Status.CLOSED:
        return forms
    if access.can(Cap.TRIAGE_INCIDENTS):
        forms["triage_form"] = TriageForm(
            access=access,
            incident=incident,
            initial={
                "severity": incident.severity,
                "safeguarding": incident.safeguarding,
                "category": incident.category,
                "investigator": incident.investigator and school.memberships.filter(user=incident.investigator).first(),
                "personal_data_breach": incident.personal_data_breach,
                # Ids only: the pickers load what they show in one query each.
                "pupils": list(incident.pupils.values_list("pk", flat=True)),
                "staff": list(incident.staff.values_list("pk", flat=True)),
                "breached_statements": list(incident.breached_statements.values_list("pk", flat=True)),
            },
        )
        if incident.personal_data_breach and incident.ico_decision == ICODecision.PENDING:
            forms["ico_form"] = ICODecisionForm()
    if access.can(Cap.INVESTIGATE_INCIDENTS):
        forms["entry_form"] = EntryForm()
        forms["evidence_form"] = InvestigatorEvidenceForm(prefix="evidence")
        if incident.status != Status.REPORTED:
            forms["status_form"] = StatusForm(initial={"status": incident.status})
    if (access.can(Cap.TRIAGE_INCIDENTS) or access.can(Cap.REVIEW_INCIDENTS)) and incident.pupils.exists():
        forms["ict_form"] = IctWithdrawalForm(incident=incident)
    if access.can(Cap.REVIEW_INCIDENTS) and incident.status != Status.REPORTED:
        forms["close_form"] = CloseForm()
        if incident.staff.exists():
            forms["misuse_form"] = MisuseForm()
    if bound:
        forms.update(bound)
    return forms


def _render_detail(request, incident, whole, bound=None, status=200):
    if whole:
        incident = (
            selectors.with_people(type(incident).objects.filter(pk=incident.pk))
            .select_related("reported_by", "investigator", "closed_by", "ico_decided_by")
            .get()
        )
        context = {
            "incident": incident,
            "whole": True,
            "entries": list(selectors.chronology(incident)),
            "evidence": list(selectors.evidence_of(incident)),
            "clock": ico_clock(incident),
            "withdrawals": list(incident.ict_withdrawals.select_related("pupil").order_by("-until", "-id")),
            "retention": retention_for(incident, incident.pupils.all()),
            "today": timezone.localdate(),
            **_forms(request, incident, bound),
        }
        if request.access.can(Cap.VIEW_SAFEGUARDING_INCIDENTS):
            context["readers"] = selectors.readers(incident)
    else:
        context = {
            "incident": incident,
            "whole": False,
            "entries": list(selectors.chronology(incident, reporter_only_for=request.user)),
            "evidence": list(selectors.evidence_of(incident, uploaded_by=request.user)),
            "add_form": (bound or {}).get("add_form") or AddToReportForm(prefix="add"),
        }
        context["filed"] = context["entries"][0].data if context["entries"] else {}
    return render(request, "incidents/detail.html", context, status=status)


@school_view(Cap.VIEW_SCHOOL)
def detail(request, incident_id):
    incident, whole = selectors.incident_for(request, incident_id)
    services.record_view(incident=incident, by=request.user, request=request)
    return _render_detail(request, incident, whole)


@school_view(Cap.VIEW_SCHOOL)
def evidence_file(request, incident_id, evidence_id):
    incident, whole = selectors.incident_for(request, incident_id)
    evidence = get_object_or_404(IncidentEvidence, pk=evidence_id, incident=incident)
    if not whole and evidence.uploaded_by_id != request.user.pk:
        raise Http404("No such file.")
    services.record_view(incident=incident, by=request.user, request=request, evidence=evidence)
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(evidence.content_type, "bin")
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=f"{incident.reference}-evidence-{evidence.pk}.{extension}",
        content_type=evidence.content_type,
    )
    return downloads.private(response)


def _post(request, incident_id, capability_form, handle, *, reporter=False):
    """Bind `capability_form`, call `handle(form)`; on an error show the incident page
    with the form's messages beside its fields."""
    if reporter:
        incident, whole = selectors.incident_for(request, incident_id)
        if incident.reported_by_id != request.user.pk:
            raise Http404("No such incident.")
    else:
        incident, whole = selectors.incident_for(request, incident_id, reporter_may_see=False)
    name, form = capability_form(incident)
    if form.is_valid():
        try:
            message = handle(incident, form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, message)
            return _detail(request, incident)
    services.record_view(incident=incident, by=request.user, request=request)
    return _render_detail(request, incident, whole, bound={name: form}, status=400)


@school_view(Cap.REPORT_INCIDENT)
@require_POST
def add_to_report(request, incident_id):
    def handle(incident, data):
        services.add_to_report(
            incident=incident,
            by=request.user,
            text=data.get("text", ""),
            evidence=data.get("evidence"),
            taken_at=data.get("taken_at"),
            evidence_description=data.get("evidence_description", ""),
            request=request,
        )
        return "Added to your report."

    return _post(
        request,
        incident_id,
        lambda i: ("add_form", AddToReportForm(request.POST, request.FILES, prefix="add")),
        handle,
        reporter=True,
    )


@school_view(Cap.TRIAGE_INCIDENTS)
@require_POST
def triage(request, incident_id):
    def handle(incident, data):
        membership = data.get("investigator")
        services.triage(
            incident=incident,
            by=request.user,
            severity=data["severity"],
            safeguarding=data["safeguarding"],
            investigator=membership.user if membership else None,
            category=data["category"],
            pupils=data["pupils"],
            staff=data["staff"],
            breached_statements=data["breached_statements"],
            personal_data_breach=data["personal_data_breach"],
            note=data["note"],
            request=request,
        )
        return "Triage recorded."

    return _post(
        request,
        incident_id,
        lambda i: ("triage_form", TriageForm(request.POST, access=request.access, incident=i)),
        handle,
    )


@school_view(Cap.INVESTIGATE_INCIDENTS)
@require_POST
def add_entry(request, incident_id):
    def handle(incident, data):
        entry = services.add_entry(
            incident=incident,
            by=request.user,
            kind=data["kind"],
            text=data["text"],
            referred_to=data.get("referred_to", ""),
            reference_number=data.get("reference_number", ""),
            request=request,
        )
        return f"{entry.get_kind_display()} added to the record."

    return _post(request, incident_id, lambda i: ("entry_form", EntryForm(request.POST)), handle)


@school_view(Cap.INVESTIGATE_INCIDENTS)
@require_POST
def add_evidence(request, incident_id):
    def handle(incident, data):
        services.add_evidence(
            incident=incident,
            by=request.user,
            evidence=data["evidence"],
            taken_at=data.get("taken_at"),
            description=data.get("evidence_description", ""),
            request=request,
        )
        return "Evidence added to the record."

    return _post(
        request,
        incident_id,
        lambda i: ("evidence_form", InvestigatorEvidenceForm(request.POST, request.FILES, prefix="evidence")),
        handle,
    )


@school_view(Cap.INVESTIGATE_INCIDENTS)
@require_POST
def change_status(request, incident_id):
    def handle(incident, data):
        incident = services.change_status(
            incident=incident, by=request.user, status=data["status"], note=data["note"], request=request
        )
        return f"Status changed to {incident.get_status_display().lower()}."

    return _post(request, incident_id, lambda i: ("status_form", StatusForm(request.POST)), handle)


@school_view(Cap.TRIAGE_INCIDENTS)
@require_POST
def ico_decision(request, incident_id):
    def handle(incident, data):
        services.record_ico_decision(
            incident=incident,
            by=request.user,
            decision=data["decision"],
            reason=data["reason"],
            ico_reference=data.get("ico_reference", ""),
            request=request,
        )
        return "The decision about the ICO is recorded."

    return _post(request, incident_id, lambda i: ("ico_form", ICODecisionForm(request.POST)), handle)


@school_view(Cap.REVIEW_INCIDENTS)
@require_POST
def classify_misuse(request, incident_id):
    def handle(incident, data):
        incident = services.classify_misuse(
            incident=incident,
            by=request.user,
            classification=data["classification"],
            sanction=data["sanction"],
            factors=data,
            request=request,
        )
        return f"Staff misuse classed as {incident.misuse_classification}."

    return _post(request, incident_id, lambda i: ("misuse_form", MisuseForm(request.POST)), handle)


@school_view(Cap.VIEW_INCIDENT_LOG)
@require_POST
def withdraw_ict_access(request, incident_id):
    """A pupil outcome, by those who triage or review (checked again by the service)."""
    if not (request.access.can(Cap.TRIAGE_INCIDENTS) or request.access.can(Cap.REVIEW_INCIDENTS)):
        raise Http404("No such incident.")

    def handle(incident, data):
        withdrawal = services.withdraw_ict_access(
            incident=incident,
            by=request.user,
            pupil=data["pupil"],
            until=data["until"],
            reason=data["reason"],
            note=data.get("note", ""),
            request=request,
        )
        return (
            f"ICT access withdrawn from {withdrawal.pupil.full_name} until {withdrawal.until:%d/%m/%Y}. "
            "The pupil's teachers see the date and the reason only."
        )

    return _post(
        request,
        incident_id,
        lambda i: ("ict_form", IctWithdrawalForm(request.POST, incident=i)),
        handle,
    )


@school_view(Cap.REVIEW_INCIDENTS)
@require_POST
def close(request, incident_id):
    def handle(incident, data):
        services.close(incident=incident, by=request.user, outcome=data["outcome"], request=request)
        return "The incident is signed off and closed."

    return _post(request, incident_id, lambda i: ("close_form", CloseForm(request.POST)), handle)


# --- The governors' termly summary ---------------------------------------------------------


def _term(request):
    from .summary import Term

    return Term.from_key(request.GET.get("term", "")) or Term.current()


@school_view(Cap.VIEW_INCIDENT_SUMMARY)
def summary(request):
    from .summary import recent_terms, termly_summary

    term = _term(request)
    return render(
        request,
        "incidents/summary.html",
        {"summary": termly_summary(request.school, term), "terms": recent_terms(), "term": term},
    )


@school_view(Cap.VIEW_INCIDENT_SUMMARY)
def summary_pdf(request):
    from django.template.loader import render_to_string
    from django.utils import timezone

    from agreements.pdf import render_pdf

    from .clock import uk_datetime
    from .summary import termly_summary

    term = _term(request)
    now = timezone.now()
    html = render_to_string(
        "incidents/summary_pdf.html",
        {
            "school": request.school,
            "summary": termly_summary(request.school, term),
            "printed_on": timezone.localtime(now).strftime("%d/%m/%Y"),
            "printed_at_uk": uk_datetime(now),
        },
    )
    return downloads.content_response(
        request,
        render_pdf(html),
        filename=f"{request.school.slug}-e-safety-summary-{term.key}.pdf",
        content_type="application/pdf",
        attachment=False,
        action="incident.summary_downloaded",
        summary="Termly e-safety summary for governors downloaded as PDF",
        data={"term": term.key},
    )


@school_view(Cap.VIEW_INCIDENT_LOG)
def record_pdf(request, incident_id):
    """The whole record on paper (for a referral or a meeting), for those who see the
    whole record. Written to the audit log like every other look at it."""
    from django.http import HttpResponse
    from django.template.loader import render_to_string
    from django.utils import timezone

    from agreements.pdf import render_pdf

    from .clock import uk_datetime

    incident, _ = selectors.incident_for(request, incident_id, reporter_may_see=False)
    incident = (
        selectors.with_people(type(incident).objects.filter(pk=incident.pk))
        .select_related("reported_by", "investigator", "closed_by", "ico_decided_by")
        .get()
    )
    services.record_export(incident=incident, by=request.user, request=request)
    now = timezone.now()
    html = render_to_string(
        "incidents/record_pdf.html",
        {
            "school": request.school,
            "incident": incident,
            "entries": list(selectors.chronology(incident)),
            "evidence": list(selectors.evidence_of(incident)),
            "clock": ico_clock(incident),
            "printed_by": request.user,
            "printed_at_uk": uk_datetime(now),
        },
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{incident.reference}.pdf"'
    return downloads.private(response)
