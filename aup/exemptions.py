"""Exemptions: a member of staff asks the headteacher, in writing, to use ICT for a
purpose the policy would otherwise forbid; the head approves (until an end date) or
refuses, with a reason. Decisions are final. Every step is in the audit log."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import audit
from core.dates import DateField
from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view

from .models import Exemption, Policy

# --- services ------------------------------------------------------------------


def request_exemption(*, school, requested_by, policy: Policy, purpose: str, request=None) -> Exemption:
    purpose = purpose.strip()
    if len(purpose) < 10:
        raise ValidationError({"purpose": "Describe what you want to do, and why, in a sentence or two."})
    if policy.school_id != school.pk:
        raise ValidationError({"policy": "Choose one of the school's policies."})
    with transaction.atomic():
        exemption = Exemption.objects.create(school=school, requested_by=requested_by, policy=policy, purpose=purpose)
        audit.record(
            action="exemption.requested",
            actor=requested_by,
            school=school,
            obj=exemption,
            request=request,
            summary=f"{requested_by.full_name} asked for an exemption from {policy.title}",
        )
    return exemption


def decide_exemption(*, exemption: Exemption, decided_by, approve: bool, reason: str, ends_on=None, request=None):
    reason = reason.strip()
    errors = {}
    if not reason:
        errors["reason"] = "Give the reason for your decision."
    if approve and ends_on is None:
        errors["ends_on"] = "Give the date the exemption ends."
    elif approve and ends_on < timezone.localdate():
        errors["ends_on"] = "The end date cannot be in the past."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        exemption = Exemption.objects.select_for_update().get(pk=exemption.pk)
        if exemption.requested_by_id == decided_by.pk:
            raise ValidationError("You cannot decide your own request. Another headteacher or deputy must decide it.")
        if exemption.status != Exemption.Status.REQUESTED:
            raise ValidationError("This request has already been decided. A decision cannot be changed.")
        exemption.status = Exemption.Status.APPROVED if approve else Exemption.Status.REFUSED
        exemption.decided_by = decided_by
        exemption.decided_at = timezone.now()
        exemption.reason = reason
        exemption.ends_on = ends_on if approve else None
        exemption.save(update_fields=["status", "decided_by", "decided_at", "reason", "ends_on"])
        until = f" until {ends_on:%d/%m/%Y}" if approve else ""
        audit.record(
            action="exemption.approved" if approve else "exemption.refused",
            actor=decided_by,
            school=exemption.school,
            obj=exemption,
            request=request,
            summary=f"{decided_by.full_name} {'approved' if approve else 'refused'} the exemption "
            f"{exemption.requested_by.full_name} asked for{until}",
            data={"reason": reason},
        )
    return exemption


# --- forms ---------------------------------------------------------------------


class RequestForm(forms.Form):
    policy = forms.ModelChoiceField(
        label="Which policy",
        queryset=Policy.objects.none(),
        empty_label="Choose a policy",
        error_messages={"required": "Choose the policy you are asking about."},
    )
    purpose = forms.CharField(
        label="What you want to do, and why",
        help_text="For example: use my own phone to photograph pupils' work for a display, because the school camera is broken.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": "Describe what you want to do, and why."},
    )

    def __init__(self, *args, school, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = Policy.objects.filter(school=school).order_by("title")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose to approve or refuse."},
    )
    ends_on = DateField(
        label="Exemption ends on",
        error_name="The date the exemption ends",
        help_text="Needed if you approve.",
        required=False,
    )
    reason = forms.CharField(
        label="Reason",
        help_text="The person sees this with your decision.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": "Give the reason for your decision."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


# --- views ---------------------------------------------------------------------


def _exemptions(request):
    return Exemption.objects.filter(school=request.school).select_related("policy", "requested_by", "decided_by")


def _visible_exemption(request, exemption_id) -> Exemption:
    """The person's own request, or any request of the school for the head."""
    exemption = get_object_or_404(_exemptions(request), pk=exemption_id)
    if exemption.requested_by_id != request.user.pk and not request.access.can(Cap.MANAGE_POLICIES):
        raise Http404("No such request.")
    return exemption


def _require_staff(request):
    if request.access.membership is None or request.access.membership.is_parent_only:
        raise Http404("No such page.")


@school_view(Cap.VIEW_SCHOOL)
def new(request):
    _require_staff(request)
    form = RequestForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            exemption = request_exemption(
                school=request.school,
                requested_by=request.user,
                policy=form.cleaned_data["policy"],
                purpose=form.cleaned_data["purpose"],
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Your request is sent to the headteacher. You will see the answer here.")
            return redirect("aup:exemption", school_slug=request.school.slug, exemption_id=exemption.pk)
    status = 400 if form.errors else 200
    return render(request, "aup/exemption_new.html", {"form": form}, status=status)


@school_view(Cap.VIEW_SCHOOL)
def mine(request):
    exemptions = _exemptions(request).filter(requested_by=request.user)
    return render(request, "aup/exemption_mine.html", {"exemptions": exemptions})


@school_view(Cap.MANAGE_POLICIES)
def queue(request):
    exemptions = list(_exemptions(request))
    waiting = [e for e in exemptions if e.status == Exemption.Status.REQUESTED]
    decided = [e for e in exemptions if e.status != Exemption.Status.REQUESTED]
    return render(request, "aup/exemption_queue.html", {"waiting": waiting, "decided": decided})


def _can_decide(request, exemption) -> bool:
    return (
        request.access.can(Cap.MANAGE_POLICIES)
        and exemption.status == Exemption.Status.REQUESTED
        and exemption.requested_by_id != request.user.pk
    )


@school_view(Cap.VIEW_SCHOOL)
def detail(request, exemption_id):
    exemption = _visible_exemption(request, exemption_id)
    form = DecideForm() if _can_decide(request, exemption) else None
    context = {"exemption": exemption, "form": form, "is_head": request.access.can(Cap.MANAGE_POLICIES)}
    return render(request, "aup/exemption_detail.html", context)


@school_view(Cap.MANAGE_POLICIES)
@require_POST
def decide(request, exemption_id):
    exemption = get_object_or_404(_exemptions(request), pk=exemption_id)
    form = DecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            decide_exemption(
                exemption=exemption,
                decided_by=request.user,
                approve=approve,
                reason=form.cleaned_data["reason"],
                ends_on=form.cleaned_data["ends_on"],
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Your decision is recorded and the person can see it.")
            return redirect("aup:exemption", school_slug=request.school.slug, exemption_id=exemption.pk)
    exemption.refresh_from_db()
    show_form = form if _can_decide(request, exemption) else None
    context = {"exemption": exemption, "form": show_form, "refused_form": form, "is_head": True}
    return render(request, "aup/exemption_detail.html", context, status=400)
