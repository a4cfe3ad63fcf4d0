"""The retention pages. A trust's DPO (trust_view, MANAGE_RETENTION) reads and
changes the schedule, approves the review list and reads the destruction log; in a
school (school_view) the head and trust officers read the schedule and place or lift
legal holds."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.mfa_policy import passed_second_step_recently
from core import retention
from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view, trust_view

from . import selectors, services
from .forms import HoldForm, LiftForm, RuleForm
from .models import LegalHold, Review
from .schedule import effective_for, effective_schedule

# --- the trust's pages ---------------------------------------------------------------------


@trust_view(Cap.MANAGE_RETENTION)
def trust_schedule(request):
    return render(
        request,
        "retention/schedule.html",
        {"rows": effective_schedule(request.trust), "can_edit": True, "scope_name": request.trust.name},
    )


@trust_view(Cap.MANAGE_RETENTION)
def rule_edit(request, kind_key):
    kind = retention.kind(kind_key)
    if kind is None:
        raise Http404("No such page.")
    current = effective_for(request.trust, kind_key)
    if request.method == "POST":
        form = RuleForm(request.POST, kind=kind)
        if form.is_valid():
            try:
                services.change_rule(
                    trust=request.trust,
                    kind_key=kind_key,
                    years=form.cleaned_data["years"],
                    action=form.cleaned_data["action"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                    request=request,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, f"The rule for {kind.label.lower()} is changed for the trust's schools.")
                return redirect("retention_trust:schedule", request.trust.slug)
    else:
        form = RuleForm(initial={"years": current.years, "action": current.action}, kind=kind)
    return render(request, "retention/rule_edit.html", {"kind": kind, "current": current, "form": form})


@trust_view(Cap.MANAGE_RETENTION)
def review(request):
    current = selectors.current_review(request.trust)
    table = selectors.review_table(current) if current else []
    to_destroy = sum(row["total"] for row in table if row["action"] != retention.REVIEW)
    return render(
        request,
        "retention/review.html",
        {"review": current, "table": table, "to_destroy": to_destroy},
    )


@trust_view(Cap.MANAGE_RETENTION)
@require_POST
def approve(request, review_id):
    current = get_object_or_404(Review, pk=review_id, trust=request.trust)
    here = reverse("retention_trust:review", args=[request.trust.slug])
    # Destruction cannot be undone: the DPO types a code from their authenticator now,
    # not only when they signed in.
    if not passed_second_step_recently(request):
        messages.info(request, "Enter the code from your authenticator app, then approve again.")
        return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': here})}")
    try:
        services.approve(review=current, user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Approved. The records are being destroyed; the destruction log shows each batch.")
    return redirect(here)


@trust_view(Cap.MANAGE_RETENTION)
def destruction_log(request):
    return render(request, "retention/destruction_log.html", {"rows": selectors.destruction_log(request.trust)})


# --- a school's pages ----------------------------------------------------------------------


@school_view(Cap.VIEW_RETENTION)
def school_schedule(request):
    trust = request.school.trust
    can_edit = trust is not None and _is_trust_officer(request)
    return render(
        request,
        "retention/schedule.html",
        {
            "rows": effective_schedule(trust),
            "can_edit": False,
            "edit_trust": trust if can_edit else None,
            "scope_name": request.school.name,
        },
    )


def _is_trust_officer(request) -> bool:
    from core.roles import Role

    return Role.TRUST_OFFICER in request.access.roles


@school_view(Cap.MANAGE_LEGAL_HOLDS)
def holds(request):
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.place_hold(
                school=request.school,
                subject=form.cleaned_data["subject"],
                identifier=form.cleaned_data["identifier"],
                reason=form.cleaned_data["reason"],
                user=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, "The hold is in place: no retention rule touches these records until it is lifted."
            )
            return redirect("retention:holds", request.school.slug)
    return render(request, "retention/holds.html", {"holds": selectors.holds_in(request.school), "form": form})


@school_view(Cap.MANAGE_LEGAL_HOLDS)
def hold_lift(request, hold_id):
    hold = get_object_or_404(LegalHold, pk=hold_id, school=request.school, lifted_at__isnull=True)
    form = LiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lift_hold(hold=hold, reason=form.cleaned_data["reason"], user=request.user, request=request)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The hold is lifted. The retention rules apply to these records again.")
            return redirect("retention:holds", request.school.slug)
    return render(request, "retention/hold_lift.html", {"hold": hold, "form": form})
