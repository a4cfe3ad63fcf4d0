"""Staff pages: who may appear, the class sheet, the dashboard, the form editor."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import audit, downloads
from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view
from schools.models import Pupil, SchoolClass, YearGroup

from . import events, reconfirm, selectors, services
from .family import _pdf_response
from .forms import CheckForm, EventForm, FormSettingsForm, PurposeFormSet, new_code
from .models import ConsentForm, ConsentPurpose, ConsentRecord, FormStatus, SchoolEvent
from .pdf import do_not_photograph_html, render_pdf


def _no_form(request):
    return render(request, "consent/no_form.html", status=200)


def _group(request, value):
    """The pupils of a class, year group or event of this school (404 for anything
    else), and its name."""
    kind, _, pk = (value or "").partition("-")
    if not pk.isdigit():
        raise Http404("No such group.")
    if kind == "class":
        group = get_object_or_404(SchoolClass, pk=pk, school=request.school)
        pupils = selectors.current_pupils(request.school).filter(school_class=group)
    elif kind == "year":
        group = get_object_or_404(YearGroup, pk=pk, school=request.school)
        pupils = selectors.current_pupils(request.school).filter(year_group=group)
        group = f"All of {group.name}"
    elif kind == "event":
        group = get_object_or_404(SchoolEvent, pk=pk, school=request.school)
        pupils = selectors.current_pupils(request.school).filter(consent_events=group)
    else:
        raise Http404("No such group.")
    return pupils, str(group)


def _check(request):
    form_version = selectors.current_form(request.school)
    if form_version is None:
        return None, None, None, None
    check = CheckForm(
        request.GET or None,
        classes=SchoolClass.objects.filter(school=request.school).select_related("year_group"),
        year_groups=YearGroup.objects.filter(school=request.school),
        purposes=form_version.purposes.all(),
        events=SchoolEvent.objects.filter(school=request.school).order_by("-date", "name"),
    )
    result = group_name = None
    if check.is_valid():
        pupils, group_name = _group(request, check.cleaned_data["group"])
        result = selectors.who_may_appear(form_version, pupils, check.cleaned_data["purpose"])
    return form_version, check, result, group_name


@school_view(Cap.VIEW_CONSENT)
def check(request):
    form_version, check_form, result, group_name = _check(request)
    if form_version is None:
        return _no_form(request)
    return render(
        request,
        "consent/check.html",
        {"form": check_form, "result": result, "group_name": group_name, "consent_form": form_version},
    )


@school_view(Cap.VIEW_CONSENT)
def check_pdf(request):
    form_version, check_form, result, group_name = _check(request)
    if result is None:  # nothing chosen yet: choose on the check page
        return redirect("consent:check", school_slug=request.school.slug)
    html = do_not_photograph_html(school=request.school, group_name=group_name, result=result, form=form_version)
    # The group is a class, a year, an event or the school: never a pupil.
    return downloads.content_response(
        request,
        render_pdf(html),
        filename=f"do-not-photograph-{result.purpose.code}.pdf",
        content_type="application/pdf",
        attachment=False,
        action="consent.list_printed",
        summary=f"Do-not-photograph list for {group_name} ({result.purpose.label}) downloaded as PDF",
    )


@school_view(Cap.VIEW_CONSENT)
def class_sheet(request, class_id):
    school_class = get_object_or_404(
        SchoolClass.objects.select_related("year_group"), pk=class_id, school=request.school
    )
    form_version = selectors.current_form(request.school)
    if form_version is None:
        return _no_form(request)
    pupils = selectors.current_pupils(request.school).filter(school_class=school_class)
    consents = selectors.consent_for_pupils(form_version, pupils)
    purposes = list(form_version.purposes.all())
    rows = [(c, [(p, c.allows(p.code)) for p in purposes]) for c in consents]
    classes = SchoolClass.objects.filter(school=request.school)
    return render(
        request,
        "consent/class_sheet.html",
        {"school_class": school_class, "purposes": purposes, "rows": rows, "classes": classes},
    )


@school_view(Cap.VIEW_CONSENT)
def dashboard(request):
    data = selectors.dashboard(request.school)
    classes = {c.name: c for c in SchoolClass.objects.filter(school=request.school)}
    return render(request, "consent/dashboard.html", {"data": data, "classes": classes})


@school_view(Cap.VIEW_ALL_PUPILS)  # a file of every pupil in the school: not for every teacher
def export_csv(request):
    """Every pupil's consent, streamed a chunk of pupils at a time."""
    form_version = selectors.current_form(request.school)
    purposes = list(form_version.purposes.all()) if form_version else []
    pupils = selectors.current_pupils(request.school).order_by("year_group__position", "last_name", "first_name", "pk")

    def rows():
        yield ["Pupil", "Class", "Year", "Status", *[p.label for p in purposes], "Carers disagree"]
        for c in selectors.iter_consent(form_version, pupils):
            pupil = c.pupil
            yield [
                pupil.full_name,
                pupil.school_class.name if pupil.school_class_id else "",
                pupil.year_group.name,
                c.status_label,
                *["Yes" if c.allows(p.code) else "No" for p in purposes],
                "Yes" if c.disagreements else "",
            ]

    return downloads.csv_response(
        request,
        rows(),
        filename=f"{request.school.slug}-photo-consent.csv",
        action="consent.exported",
        summary="Photo consent list downloaded as CSV",
        obj=form_version,
    )


@school_view(Cap.VIEW_CONSENT_RECORDS)
def pupil_records(request, pupil_id):
    pupil = get_object_or_404(
        Pupil.objects.select_related("school_class", "year_group"), pk=pupil_id, school=request.school
    )
    form_version = selectors.current_form(request.school)
    consent = selectors.consent_for_pupils(form_version, [pupil], select_carer=True)[0]
    records = (
        ConsentRecord.objects.filter(pupil=pupil, school=request.school)
        .select_related("carer", "form", "document")
        .order_by("-signed_at", "-id")
    )
    purposes = list(form_version.purposes.all()) if form_version else []
    return render(
        request,
        "consent/pupil_records.html",
        {
            "pupil": pupil,
            "consent": consent,
            "records": records,
            "answers": [(p, consent.allows(p.code), p.code in consent.disagreements) for p in purposes],
        },
    )


@school_view(Cap.VIEW_CONSENT_RECORDS)
def staff_record_pdf(request, consent_record_id):
    record = get_object_or_404(
        ConsentRecord.objects.select_related("pupil"), pk=consent_record_id, school=request.school
    )
    return _pdf_response(request, record)


# --- The form editor (the head) ------------------------------------------------------


@school_view(Cap.MANAGE_CONSENT)
def editor(request):
    published = selectors.current_form(request.school)
    draft = ConsentForm.objects.filter(school=request.school, status=FormStatus.DRAFT).first()
    if draft is None:
        return render(request, "consent/editor.html", {"published": published, "draft": None})
    draft_edited = published is not None and reconfirm.draft_has_edits(request.school) is not None
    queryset = ConsentPurpose.objects.filter(form=draft).order_by("order", "pk")
    settings_form = FormSettingsForm(request.POST or None, initial={"intro": draft.intro}, prefix="form")
    formset = PurposeFormSet(request.POST or None, queryset=queryset, prefix="uses")
    if request.method == "POST" and settings_form.is_valid() and formset.is_valid():
        with transaction.atomic():
            ConsentForm.objects.filter(pk=draft.pk).update(intro=settings_form.cleaned_data["intro"])
            taken = set(queryset.values_list("code", flat=True))
            purposes = formset.save(commit=False)
            for obj in formset.deleted_objects:
                obj.delete()
            for n, purpose in enumerate(purposes):
                if not purpose.pk:
                    purpose.form = draft
                    purpose.code = new_code(purpose.label, taken)
                if purpose.order is None:
                    purpose.order = 1000 + n
                purpose.save()
            audit.record(
                action="consent.form_edited", actor=request.user, school=request.school, obj=draft, request=request
            )
        messages.success(request, "Saved. Parents see the changes only when you publish this version.")
        return redirect("consent:editor", school_slug=request.school.slug)
    status = 400 if settings_form.errors or formset.total_error_count() else 200
    return render(
        request,
        "consent/editor.html",
        {
            "published": published,
            "draft": draft,
            "draft_edited": draft_edited,
            "settings_form": settings_form,
            "formset": formset,
        },
        status=status,
    )


@school_view(Cap.MANAGE_CONSENT)
@require_POST
def start_draft(request):
    services.start_draft(school=request.school, by=request.user, request=request)
    return redirect("consent:editor", school_slug=request.school.slug)


@school_view(Cap.MANAGE_CONSENT)
@require_POST
def publish(request):
    draft = ConsentForm.objects.filter(school=request.school, status=FormStatus.DRAFT).first()
    if draft is None:
        raise Http404("No draft to publish.")
    try:
        published = services.publish(draft=draft, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("consent:editor", school_slug=request.school.slug)
    messages.success(
        request,
        f"Version {published.version} is published on {timezone.localtime(published.published_at):%d/%m/%Y}. "
        "Parents are asked to confirm their answers; their earlier answers still apply until they do.",
    )
    return redirect("consent:dashboard", school_slug=request.school.slug)


@school_view(Cap.MANAGE_CONSENT)
@require_POST
def ask_to_confirm(request):
    """Publish a new version with the same uses and introduction, so that every
    parent is asked to confirm their answers (theirs still apply until they do)."""
    try:
        published = reconfirm.ask_every_parent(school=request.school, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("consent:editor", school_slug=request.school.slug)
    messages.success(
        request,
        f"Version {published.version} is published with the same uses. Every parent is asked to confirm "
        "their answers; their earlier answers still apply until they do.",
    )
    return redirect("consent:dashboard", school_slug=request.school.slug)


# --- Events: groups of pupils from any classes ------------------------------------------


@school_view(Cap.VIEW_CONSENT)
def event_list(request):
    return render(request, "consent/event_list.html", {"events": events.events_of(request.school)})


@school_view(Cap.VIEW_CONSENT)
def event_create(request):
    return _event_page(request, None)


@school_view(Cap.VIEW_CONSENT)
def event_edit(request, event_id):
    event = get_object_or_404(SchoolEvent, pk=event_id, school=request.school)
    return _event_page(request, event)


def _group_value(value) -> str:
    kind, _, pk = (value or "").partition("-")
    return value if kind in ("class", "year", "event") and pk.isdigit() else ""


def _event_page(request, event):
    """Name, date and pupils: the pupils picked so far stay ticked, and one class or
    year group at a time (?group=) lists its pupils to tick. "Save and show" keeps the
    ticks made so far and then lists another class."""
    school = request.school
    everyone = selectors.current_pupils(school)
    initial = {}
    if event is not None:
        initial = {"name": event.name, "date": event.date, "pupils": list(event.pupils.values_list("pk", flat=True))}
    form = EventForm(request.POST or None, pupils=everyone, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = events.save_event(
                school=school,
                by=request.user,
                name=form.cleaned_data["name"],
                date=form.cleaned_data["date"],
                pupils=form.cleaned_data["pupils"],
                event=event,
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            count = len(form.cleaned_data["pupils"])
            messages.success(request, f"Saved {saved.name}: {count} pupil{'s' if count != 1 else ''}.")
            show = _group_value(request.POST.get("show")) if "then_show" in request.POST else ""
            if show:
                url = reverse("consent:event_edit", kwargs={"school_slug": school.slug, "event_id": saved.pk})
                return redirect(f"{url}?{urlencode({'group': show})}")
            return redirect("consent:events", school_slug=school.slug)
    group_value = _group_value(request.POST.get("group") if request.method == "POST" else request.GET.get("group"))
    chosen_ids = form.chosen_ids()
    chosen = list(everyone.filter(pk__in=chosen_ids)) if chosen_ids else []
    shown, group_name = [], None
    if group_value:
        pupils, group_name = _group(request, group_value)
        shown = [p for p in pupils if p.pk not in chosen_ids]
    classes = SchoolClass.objects.filter(school=school).order_by("year_group__position", "name")
    years = YearGroup.objects.filter(school=school).order_by("position")
    group_choices = [
        ("Classes", [(f"class-{c.pk}", c.name) for c in classes]),
        ("Year groups", [(f"year-{y.pk}", f"All of {y.name}") for y in years]),
    ]
    return render(
        request,
        "consent/event_form.html",
        {
            "event": event,
            "form": form,
            "chosen": chosen,
            "shown": shown,
            "group_name": group_name,
            "group_value": group_value,
            "group_choices": group_choices,
        },
        status=400 if form.errors else 200,
    )
