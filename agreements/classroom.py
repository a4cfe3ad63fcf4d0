"""Class signing pages.

School side (under /s/<slug>/, for a teacher of the class or someone who sees
compliance): a class's pupils' agreements, opening a kiosk session, reviewing and
confirming it, recording a read-aloud.

Kiosk side (/kiosk/class/<token>/, no login): the classroom device on which pupils
pick their name, read, tick and type their name. The token is the device's only key:
it opens one class and one form, and nothing else is reachable from its pages.
Finishing the session is the teacher's: it needs them signed in on the device."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from aup.models import AgreementForm, Audience, VersionStatus
from core.dates import DateField
from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_access, school_view
from schools.models import SchoolClass

from . import class_sessions as cs
from . import services
from .forms import AgreementFields
from .models import ClassSession
from .pdf import qr_code_data_uri
from .policy import document_response, policy_shown

_TOKEN_KEY = "class_session_token_{}"


# --- forms ----------------------------------------------------------------------------


class PupilSignForm(AgreementFields, forms.Form):
    """Tick to agree to each section and type your name (no drawn signature for pupils)."""

    tick_noun = "sentences"

    typed_name = forms.CharField(
        label="Type your name",
        max_length=200,
        help_text="Your first name and your surname.",
        error_messages={"required": "Type your name."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "words"}),
    )

    def __init__(self, *args, form, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.add_agreement_fields(form)
        self.order_fields([n for n in self.fields if n != "typed_name"] + ["typed_name"])

    def clean_typed_name(self):
        name = " ".join(self.cleaned_data["typed_name"].split())
        if len(name) < 2:
            raise ValidationError("Type your name.")
        return name


class ReadAloudForm(forms.Form):
    held_on = DateField(
        label="Day you read the form aloud",
        error_messages={"required": "Enter the day you read the form aloud."},
    )
    present = forms.TypedMultipleChoiceField(
        label="Pupils who were there",
        help_text="Untick anyone who was absent: they stay outstanding, and you can record them another day.",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=True,
        error_messages={
            "required": "Tick the pupils who were there when you read the form aloud.",
            "invalid_choice": "Tick only pupils of this class who still need this form.",
        },
    )

    def __init__(self, *args, pupils, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(p.pk, p.full_name) for p in pupils]

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        try:
            cs.check_read_aloud_date(day)
        except ValidationError as error:
            raise ValidationError(error.message_dict["held_on"]) from None
        return day


# --- school side ------------------------------------------------------------------------


def _class_for(request, class_id) -> SchoolClass:
    """A class of this school that the person may run class signing for (404 otherwise)."""
    school_class = get_object_or_404(
        SchoolClass.objects.select_related("year_group", "school"), pk=class_id, school=request.school
    )
    if not cs.may_lead(request.access, school_class):
        raise Http404("No such class.")
    return school_class


def _session_for(request, session_id) -> ClassSession:
    session = get_object_or_404(
        ClassSession.objects.select_related("school_class__year_group", "form__version__policy", "led_by", "school"),
        pk=session_id,
        school=request.school,
    )
    if not cs.may_review(request.access, request.user, session):
        raise Http404("No such session.")
    return session


def _pupils_form(request, form_id, audience) -> AgreementForm:
    return get_object_or_404(
        AgreementForm.objects.select_related("version__policy").prefetch_related("statements", "sections"),
        pk=form_id,
        audience=audience,
        version__policy__school=request.school,
        version__status__in=[VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED],
    )


@school_view(Cap.VIEW_PUPILS)
def class_agreements(request, class_id):
    school_class = _class_for(request, class_id)
    context = {
        "school_class": school_class,
        "class_forms": cs.class_agreements(school_class),
        "pending": list(cs.pending_sessions(school_class)),
    }
    return render(request, "agreements/classroom/class_agreements.html", context)


@school_view(Cap.VIEW_PUPILS)
@require_POST
def open_session(request, class_id):
    school_class = _class_for(request, class_id)
    form_id = request.POST.get("form", "")
    if not form_id.isdigit():
        raise Http404("No such form.")
    agreement = _pupils_form(request, int(form_id), Audience.KS2)
    try:
        session, token = cs.open_kiosk_session(
            form=agreement, school_class=school_class, led_by=request.user, request=request
        )
    except services.FormSuperseded:
        messages.error(
            request, "This form has been replaced by a newer version. Start the session with the current one."
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        request.session[_TOKEN_KEY.format(session.pk)] = token
        return redirect("agreements:class_session", school_slug=request.school.slug, session_id=session.pk)
    return redirect("agreements:class_agreements", school_slug=request.school.slug, class_id=school_class.pk)


def _kiosk_url(request, token) -> str:
    return request.build_absolute_uri(reverse("class_kiosk:home", kwargs={"token": token}))


@school_view(Cap.VIEW_PUPILS)
def session_review(request, session_id):
    """The teacher's page for one kiosk session: the link for the device while it is
    open; the pupils' entries to check, remove, confirm; or cancel."""
    session = _session_for(request, session_id)
    if session.mode != ClassSession.Mode.KIOSK:
        return redirect(
            "agreements:class_agreements", school_slug=request.school.slug, class_id=session.school_class_id
        )
    back = redirect("agreements:class_session", school_slug=request.school.slug, session_id=session.pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "remove" and request.POST.get("entry", "").isdigit():
                cs.remove_entry(session=session, entry_id=int(request.POST["entry"]), by=request.user, request=request)
                messages.success(request, "The entry is removed. That pupil can sign again while the kiosk is open.")
            elif action == "confirm":
                signatures = cs.confirm_session(session=session, by=request.user, request=request)
                messages.success(
                    request, f"{len(signatures)} signature{'s' if len(signatures) != 1 else ''} confirmed."
                )
                return redirect(
                    "agreements:class_agreements", school_slug=request.school.slug, class_id=session.school_class_id
                )
            elif action == "cancel":
                cs.cancel_session(session=session, by=request.user, request=request)
                messages.success(request, "The session is cancelled. Nothing was signed.")
                return redirect(
                    "agreements:class_agreements", school_slug=request.school.slug, class_id=session.school_class_id
                )
            elif action == "new_link":
                request.session[_TOKEN_KEY.format(session.pk)] = cs.new_kiosk_link(
                    session=session, by=request.user, request=request
                )
                messages.success(request, "Here is a new kiosk link. The old one no longer works.")
        except services.FormSuperseded:
            messages.error(
                request,
                "This form has been replaced by a newer version since the session started, so these entries "
                "cannot be confirmed. Cancel this session and start a new one with the current form.",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return back
    entries = cs.session_entries(session)
    token = request.session.get(_TOKEN_KEY.format(session.pk)) if cs.kiosk_is_open(session) else None
    kiosk_url = _kiosk_url(request, token) if token else ""
    context = {
        "session": session,
        "entries": [(entry, cs.name_matches(entry.typed_name, entry.pupil)) for entry in entries],
        "not_yet": cs.pupils_still_needing(session.form, session.school_class, session)
        if cs.is_pending(session)
        else [],
        "kiosk_open": cs.kiosk_is_open(session),
        "pending": cs.is_pending(session),
        "superseded": session.form.version.status != VersionStatus.PUBLISHED,
        "kiosk_url": kiosk_url,
        "qr_code": qr_code_data_uri(kiosk_url) if kiosk_url else "",
    }
    return render(request, "agreements/classroom/session_review.html", context)


@school_view(Cap.VIEW_PUPILS)
@require_POST
def start_here(request, session_id):
    """Turn this device into the kiosk: sign the teacher out, so that nothing but the
    kiosk's pages can be reached from it, and open the kiosk."""
    session = _session_for(request, session_id)
    token = request.session.get(_TOKEN_KEY.format(session.pk))
    if not token or not cs.kiosk_is_open(session):
        messages.error(request, "The kiosk link is not available on this device. Get a new kiosk link first.")
        return redirect("agreements:class_session", school_slug=request.school.slug, session_id=session.pk)
    logout(request)
    return redirect("class_kiosk:home", token=token)


@school_view(Cap.VIEW_PUPILS)
def read_aloud(request, class_id, pupils_form_id):
    school_class = _class_for(request, class_id)
    agreement = _pupils_form(request, pupils_form_id, Audience.EYFS_KS1)
    if agreement.version.status != VersionStatus.PUBLISHED:
        messages.error(request, "This form has been replaced by a newer version. Record the current one.")
        return redirect("agreements:class_agreements", school_slug=request.school.slug, class_id=school_class.pk)
    needing = cs.pupils_still_needing(agreement, school_class)
    needing.sort(key=lambda p: (p.last_name, p.first_name, p.pk))
    form = ReadAloudForm(
        request.POST or None,
        pupils=needing,
        initial={"held_on": timezone.localdate(), "present": [p.pk for p in needing]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = cs.record_read_aloud(
                form=agreement,
                school_class=school_class,
                led_by=request.user,
                held_on=form.cleaned_data["held_on"],
                present_pupil_ids=form.cleaned_data["present"],
                request=request,
            )
        except services.FormSuperseded:
            form.add_error(None, "This form has been replaced by a newer version. Record the current one.")
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            count = session.signatures.count()
            messages.success(
                request,
                f"Recorded: {agreement.title} read aloud to {school_class.name} on {session.held_on:%d/%m/%Y}, "
                f"{count} pupil{'s' if count != 1 else ''} present.",
            )
            return redirect("agreements:class_agreements", school_slug=request.school.slug, class_id=school_class.pk)
    context = {"school_class": school_class, "agreement": agreement, "form": form, "needing": needing}
    return render(request, "agreements/classroom/read_aloud.html", context, status=400 if form.errors else 200)


# --- kiosk side ------------------------------------------------------------------------------


def _kiosk(request, token):
    """(session, response): the session the token opens, or the page to answer
    instead (404 unknown, 410 ended or superseded)."""
    session = cs.kiosk_session_for_token(token)
    if session is None:
        raise Http404("No such kiosk.")
    context = {"kiosk_school": session.school, "session": session, "token": token}
    if not cs.kiosk_is_open(session):
        return session, render(request, "agreements/classroom/kiosk_ended.html", context, status=410)
    if session.form.version.status != VersionStatus.PUBLISHED:
        return session, render(request, "agreements/classroom/kiosk_superseded.html", context, status=410)
    return session, None


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def kiosk_home(request, token):
    session, ended = _kiosk(request, token)
    if ended:
        return ended
    pupils = cs.pupils_still_needing(session.form, session.school_class, session)
    names = cs.display_names(pupils)
    context = {
        "kiosk_school": session.school,
        "session": session,
        "token": token,
        "pupils": [(p, names[p.pk]) for p in pupils],
    }
    return _no_store(render(request, "agreements/classroom/kiosk_home.html", context))


def kiosk_pupil(request, token, pupil_id):
    session, ended = _kiosk(request, token)
    if ended:
        return ended
    pupil = get_object_or_404(
        cs.class_pupils_for(session.form, session.school_class), pk=pupil_id, school_id=session.school_id
    )
    first_name = pupil.first_name
    if session.entries.filter(pupil=pupil).exists():
        messages.success(request, f"Thank you, {first_name}. You have signed.")
        return redirect("class_kiosk:home", token=token)
    if pupil.pk not in {p.pk for p in cs.pupils_still_needing(session.form, session.school_class, session)}:
        # Signed this form before, not in this session: nothing to do.
        messages.info(request, f"{first_name}, you have already signed this form.")
        return redirect("class_kiosk:home", token=token)
    agreement = (
        AgreementForm.objects.select_related("version__policy")
        .prefetch_related("statements", "sections")
        .get(pk=session.form_id)
    )
    form = PupilSignForm(request.POST or None, form=agreement)
    if request.method == "POST" and form.is_valid():
        presented_at, opened_at = form.policy_times()
        try:
            cs.record_entry(
                session=session,
                pupil=pupil,
                typed_name=form.cleaned_data["typed_name"],
                statements_agreed=form.agreed_numbers(),
                request=request,
                policy_presented_at=presented_at,
                policy_opened_at=opened_at,
            )
        except cs.SessionEnded:
            context = {"kiosk_school": session.school, "session": session, "token": token}
            return render(request, "agreements/classroom/kiosk_ended.html", context, status=410)
        except services.FormSuperseded:
            context = {"kiosk_school": session.school, "session": session, "token": token}
            return render(request, "agreements/classroom/kiosk_superseded.html", context, status=410)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Thank you, {first_name}. You have signed.")
            return redirect("class_kiosk:home", token=token)
    context = {
        "kiosk_school": session.school,
        "session": session,
        "token": token,
        "agreement": agreement,
        "form": form,
        "display_name": f"{pupil.first_name} {pupil.last_name[:1]}.",
        "shown": policy_shown(agreement, document_url=reverse("class_kiosk:policy", args=[token]), kiosk=True),
    }
    return _no_store(
        render(request, "agreements/classroom/kiosk_pupil.html", context, status=400 if form.errors else 200)
    )


def kiosk_policy(request, token):
    """The policy document of the session's form: one of the kiosk's own pages, open
    only while the kiosk is."""
    session, ended = _kiosk(request, token)
    if ended:
        return ended
    return document_response(session.form.version)


def _may_finish(request, session: ClassSession) -> bool:
    """Whether the person signed in on this device may finish the session: the teacher
    who leads it, or someone who oversees the school's compliance (as for the review)."""
    if not request.user.is_authenticated:
        return False
    access = school_access(request.user, session.school)
    return access is not None and cs.may_review(access, request.user, session)


def kiosk_finish(request, token):
    """ "I'm the teacher: finish the session". Finishing is the teacher's, so a pupil at
    the kiosk cannot end the class's session: it needs the teacher signed in on this
    device. Nobody signed in: the device goes to the sign-in page and comes back here.
    The teacher signed in: finishing closes the kiosk at once and opens their review,
    where they check the names and confirm (nothing is signed until then)."""
    session = cs.kiosk_session_for_token(token)
    if session is None:
        raise Http404("No such kiosk.")
    review = reverse("agreements:class_session", kwargs={"school_slug": session.school.slug, "session_id": session.pk})
    teacher = _may_finish(request, session)
    if not cs.kiosk_is_open(session):
        return redirect(review if teacher else _sign_in_then(review))
    if request.method == "POST":
        if teacher:
            cs.close_kiosk(session=session, by=request.user, request=request)
            return redirect(review)
        if request.user.is_authenticated:  # someone who does not lead this session
            raise Http404("No such kiosk.")
        return redirect(_sign_in_then(reverse("class_kiosk:finish", kwargs={"token": token})))
    context = {
        "kiosk_school": session.school,
        "session": session,
        "token": token,
        "entry_count": session.entries.count(),
        "teacher_signed_in": teacher,
        "someone_else_signed_in": request.user.is_authenticated and not teacher,
    }
    return _no_store(render(request, "agreements/classroom/kiosk_finish.html", context))


def _sign_in_then(path: str) -> str:
    return f"{reverse('account_login')}?{urlencode({'next': path})}"
