"""Reminder pages: a school's settings and log; a person's own preference."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view

from . import selectors, services
from .forms import LogFilterForm, PreferenceForm, ReminderSettingsForm
from .schedule import settings_for

PER_PAGE = 50


@school_view(Cap.MANAGE_SCHOOL_SETTINGS)
def reminder_settings(request):
    rules = settings_for(request.school)
    form = ReminderSettingsForm(request.POST or None, initial=ReminderSettingsForm.initial_from(rules))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(school=request.school, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Reminder settings saved.")
            return redirect("reminders:settings", school_slug=request.school.slug)
    return render(request, "reminders/settings.html", {"form": form}, status=400 if form.errors else 200)


@school_view(Cap.VIEW_COMPLIANCE)
def reminder_log(request):
    filters = LogFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    items = selectors.log_items(
        request.school,
        state=chosen.get("state", ""),
        kind=chosen.get("kind", ""),
        due_from=chosen.get("due_from"),
        due_to=chosen.get("due_to"),
    )
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reminders/log.html", {"page": page, "filters": filters, "query": query.urlencode()})


@login_required
def preferences(request):
    form = PreferenceForm(request.POST or None, initial={"frequency": selectors.preference_of(request.user)})
    if request.method == "POST" and form.is_valid():
        services.set_preference(user=request.user, frequency=form.cleaned_data["frequency"])
        messages.success(request, "Your choice is saved.")
        return redirect("reminder_prefs:preferences")
    return render(request, "reminders/preferences.html", {"form": form}, status=400 if form.errors else 200)
