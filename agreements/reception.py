"""Visitors sign the school's visitors' form at a reception kiosk; the office sees who
came in each day.

The office opens the kiosk for the day (a ReceptionKiosk for the published visitors'
form, reachable only through a random token of which only the SHA-256 is stored). The
device then shows only the kiosk pages, /kiosk/reception/<token>/, with no sign-in and
no site navigation. Each visitor gives their name, organisation and whom they visit,
ticks each statement and signs; that is a Signature with method VISITOR_KIOSK and no
signer. The kiosk closes at the end of the day (London time) or when the office closes
it."""

from __future__ import annotations

import datetime
import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import hash_token
from aup.models import AgreementForm, Audience, VersionStatus
from core import audit
from core.dates import DateField
from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view

from . import services
from .forms import SignForm
from .models import Method, ReceptionKiosk, Signature
from .pdf import UK, qr_code_data_uri
from .policy import document_response, policy_shown
from .selectors import published_forms

# The raw tokens of the kiosks this person opened, in their own session, so the
# visitors page can show the link and "Start on this device" to them (only the
# SHA-256 is in the database).
_SESSION_TOKENS = "reception_kiosk_tokens"
THANKS_SECONDS = 10


class KioskClosed(Exception):
    """The reception kiosk was closed by the office or has expired."""


def end_of_day(moment=None) -> datetime.datetime:
    """Midnight at the end of the day (London time) that `moment` falls in."""
    local = timezone.localtime(moment or timezone.now(), UK)
    tomorrow = local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time(0, 0), tzinfo=UK)


def kiosk_is_open(kiosk: ReceptionKiosk, now=None) -> bool:
    return kiosk.closed_at is None and kiosk.expires_at > (now or timezone.now())


# --- Selectors -------------------------------------------------------------------------


def visitors_form(school) -> AgreementForm | None:
    """The school's published visitors' form, if it has one."""
    return published_forms(school, Audience.VISITORS).first()


def open_kiosks(school):
    return (
        ReceptionKiosk.objects.filter(school=school, closed_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("opened_by", "form__version__policy")
        .order_by("opened_at", "pk")
    )


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The start of `day` and of the next, London time."""
    start = datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=UK)
    return start, datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0, 0), tzinfo=UK)


def visitors_on(school, day: datetime.date):
    """Everyone who signed in at reception on `day` (London time), earliest first: a
    fixed number of queries however many visitors."""
    start, end = day_bounds(day)
    return (
        Signature.objects.filter(school=school, method=Method.VISITOR_KIOSK, signed_at__gte=start, signed_at__lt=end)
        .select_related("form__version__policy", "document")
        .order_by("signed_at", "pk")
    )


def kiosk_for_token(token: str) -> ReceptionKiosk:
    """The kiosk the token opens, open or not; 404 for a token that was never issued."""
    return get_object_or_404(
        ReceptionKiosk.objects.select_related("school", "form__version__policy").prefetch_related(
            "form__statements", "form__sections"
        ),
        token_sha256=hash_token(token),
    )


# --- Services --------------------------------------------------------------------------


def open_reception_kiosk(*, school, opened_by, request=None) -> tuple[ReceptionKiosk, str]:
    """Open the reception kiosk for the rest of today with the school's published
    visitors' form. Returns the kiosk and its token (shown once, never stored)."""
    with transaction.atomic():
        form = visitors_form(school)
        if form is None:
            raise ValidationError(
                "There is no published visitors' form yet, so the reception kiosk cannot open. "
                "Publish a policy with a visitors' form first."
            )
        token = secrets.token_urlsafe(32)
        kiosk = ReceptionKiosk.objects.create(
            school=school,
            form=form,
            token_sha256=hash_token(token),
            opened_by=opened_by,
            expires_at=end_of_day(),
        )
        audit.record(
            action="reception.kiosk_opened",
            actor=opened_by,
            school=school,
            obj=kiosk,
            request=request,
            summary=f"Reception kiosk opened for visitors to sign {form.title} ({form.version})",
        )
    return kiosk, token


def close_reception_kiosk(*, kiosk: ReceptionKiosk, closed_by, request=None) -> ReceptionKiosk:
    """Close the kiosk now: its link stops working at once. Closing twice is harmless."""
    with transaction.atomic():
        kiosk = ReceptionKiosk.objects.select_for_update().get(pk=kiosk.pk)
        if kiosk.closed_at is not None:
            return kiosk
        kiosk.closed_at = timezone.now()
        kiosk.save(update_fields=["closed_at"])
        audit.record(
            action="reception.kiosk_closed",
            actor=closed_by,
            school=kiosk.school,
            obj=kiosk,
            request=request,
            summary="Reception kiosk closed",
        )
    return kiosk


def sign_at_reception(
    *,
    kiosk: ReceptionKiosk,
    typed_name: str,
    visiting: str,
    organisation: str = "",
    statements_agreed: list[int],
    submission_key: str,
    drawn_signature: str = "",
    request=None,
    policy_presented_at=None,
    policy_opened_at=None,
) -> Signature:
    """A visitor signs the kiosk's form. The same submission twice makes one
    signature. Raises KioskClosed, services.FormSuperseded or ValidationError."""
    if not kiosk_is_open(kiosk):
        raise KioskClosed
    visiting = " ".join(visiting.split())
    if not visiting:
        raise ValidationError({"visiting": "Tell us whom you are visiting."})
    return services.sign(
        form=kiosk.form,
        signer=None,
        typed_name=typed_name,
        statements_agreed=statements_agreed,
        submission_key=submission_key,
        request=request,
        drawn_signature=drawn_signature,
        method=Method.VISITOR_KIOSK,
        details={"organisation": " ".join(organisation.split()), "visiting": visiting},
        policy_presented_at=policy_presented_at,
        policy_opened_at=policy_opened_at,
    )


# --- Forms -----------------------------------------------------------------------------


class VisitorSignForm(SignForm):
    """The visitors' form at the kiosk: whom they visit and their organisation, the
    statements, the typed name and an optional drawn signature. Nothing is offered
    from the browser's memory: the device is shared by every visitor."""

    visiting = forms.CharField(
        label="Whom are you visiting?",
        max_length=200,
        help_text="The name of the person or the department, for example Mrs Patel or the school office.",
        error_messages={"required": "Tell us whom you are visiting."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    organisation = forms.CharField(
        label="Your organisation (optional)",
        max_length=200,
        required=False,
        help_text="The company or organisation you are here for, if any.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["typed_name"].widget.attrs["autocomplete"] = "off"
        self.fields["typed_name"].error_messages["required"] = "Type your full name to sign."

    def clean_visiting(self):
        visiting = " ".join(self.cleaned_data["visiting"].split())
        if not visiting:
            raise ValidationError("Tell us whom you are visiting.")
        return visiting

    def clean_organisation(self):
        return " ".join(self.cleaned_data["organisation"].split())


class DayForm(forms.Form):
    day = DateField(label="Show visitors on", error_name="The day to show", required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day and day > timezone.localdate():
            raise ValidationError("Choose today or an earlier day.")
        return day


# --- The office's pages (under /s/<school_slug>/) -------------------------------------------


def _session_tokens(request) -> dict:
    return dict(request.session.get(_SESSION_TOKENS, {}))


def _kiosk_of_school(request, kiosk_id) -> ReceptionKiosk:
    return get_object_or_404(ReceptionKiosk.objects.select_related("school"), pk=kiosk_id, school=request.school)


def _kiosk_link(request, token: str) -> str:
    return request.build_absolute_uri(reverse("reception:kiosk", args=[token]))


@school_view(Cap.MANAGE_PEOPLE)
def visitors(request):
    """Today's visitors (or another day's), and the reception kiosk."""
    today = timezone.localdate()
    asked = any(key in request.GET for key in ("day", "day_day", "day_month", "day_year"))
    day_form = DayForm(request.GET if asked else None, initial={"day": today})
    day = today
    if day_form.is_bound and day_form.is_valid() and day_form.cleaned_data["day"]:
        day = day_form.cleaned_data["day"]
    tokens = _session_tokens(request)
    kiosks = []
    for kiosk in open_kiosks(request.school):
        token = tokens.get(str(kiosk.pk))
        link = _kiosk_link(request, token) if token else ""
        kiosks.append({"kiosk": kiosk, "link": link, "qr_code": qr_code_data_uri(link) if link else ""})
    context = {
        "day": day,
        "is_today": day == today,
        "day_form": day_form,
        "visitors": list(visitors_on(request.school, day)),
        "kiosks": kiosks,
        "visitors_form": visitors_form(request.school),
    }
    return render(request, "agreements/reception/visitors.html", context, status=400 if day_form.errors else 200)


@school_view(Cap.MANAGE_PEOPLE)
@require_POST
def open_kiosk(request):
    try:
        kiosk, token = open_reception_kiosk(school=request.school, opened_by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        tokens = _session_tokens(request)
        tokens[str(kiosk.pk)] = token
        request.session[_SESSION_TOKENS] = tokens
        messages.success(
            request,
            "The reception kiosk is open until midnight. Start it on this device, or open its link on the "
            "reception tablet.",
        )
    return redirect("agreements:visitors", school_slug=request.school.slug)


@school_view(Cap.MANAGE_PEOPLE)
@require_POST
def start_kiosk(request, reception_kiosk_id):
    """Sign the office member out on this device and turn it into the kiosk, so that
    no other page of the portal is reachable from it."""
    kiosk = _kiosk_of_school(request, reception_kiosk_id)
    token = _session_tokens(request).get(str(kiosk.pk))
    if not kiosk_is_open(kiosk) or not token:
        messages.error(
            request,
            "That kiosk can only be started from the device that opened it. Open a new one here to start it "
            "on this device.",
        )
        return redirect("agreements:visitors", school_slug=request.school.slug)
    audit.record(
        action="reception.kiosk_started",
        actor=request.user,
        school=request.school,
        obj=kiosk,
        request=request,
        summary="Reception kiosk started on this device; the office member was signed out there",
    )
    logout(request)
    return redirect("reception:kiosk", token=token)


@school_view(Cap.MANAGE_PEOPLE)
@require_POST
def close_kiosk(request, reception_kiosk_id):
    kiosk = _kiosk_of_school(request, reception_kiosk_id)
    close_reception_kiosk(kiosk=kiosk, closed_by=request.user, request=request)
    tokens = _session_tokens(request)
    if tokens.pop(str(kiosk.pk), None) is not None:
        request.session[_SESSION_TOKENS] = tokens
    messages.success(request, "The reception kiosk is closed. Its link no longer works.")
    return redirect("agreements:visitors", school_slug=request.school.slug)


# --- The kiosk (outside /s/, no sign-in) -----------------------------------------------


def _closed(request, kiosk):
    return render(request, "agreements/reception/closed.html", {"kiosk_school": kiosk.school}, status=410)


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request, token):
    kiosk = kiosk_for_token(token)
    if not kiosk_is_open(kiosk):
        return _closed(request, kiosk)
    agreement = kiosk.form
    context = {"kiosk_school": kiosk.school, "agreement": agreement, "token": token}
    if agreement.version.status != VersionStatus.PUBLISHED:
        return render(request, "agreements/reception/superseded.html", context, status=410)
    form = VisitorSignForm(request.POST or None, form=agreement, initial={"submission_key": secrets.token_urlsafe(24)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        presented_at, opened_at = form.policy_times()
        try:
            sign_at_reception(
                kiosk=kiosk,
                typed_name=data["typed_name"],
                visiting=data["visiting"],
                organisation=data["organisation"],
                statements_agreed=form.agreed_numbers(),
                drawn_signature=data["drawn_signature"],
                submission_key=data["submission_key"],
                request=request,
                policy_presented_at=presented_at,
                policy_opened_at=opened_at,
            )
        except KioskClosed:
            return _closed(request, kiosk)
        except services.FormSuperseded:
            return render(request, "agreements/reception/superseded.html", context, status=410)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("reception:thanks", token=token)
    context["form"] = form
    context["shown"] = policy_shown(agreement, document_url=reverse("reception:policy", args=[token]), kiosk=True)
    return render(request, "agreements/reception/kiosk.html", context, status=400 if form.errors else 200)


@never_cache
def kiosk_policy(request, token):
    """The policy document of the kiosk's form: one of the kiosk's own pages, open
    only while the kiosk is."""
    kiosk = kiosk_for_token(token)
    if not kiosk_is_open(kiosk):
        return _closed(request, kiosk)
    return document_response(kiosk.form.version)


@never_cache
def thanks(request, token):
    """Thank you, and back to an empty form: nothing of the visitor is shown, since
    the next visitor stands at the same screen."""
    kiosk = kiosk_for_token(token)
    if not kiosk_is_open(kiosk):
        return _closed(request, kiosk)
    context = {"kiosk_school": kiosk.school, "token": token, "seconds": THANKS_SECONDS}
    return render(request, "agreements/reception/thanks.html", context)
