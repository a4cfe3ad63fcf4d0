"""Class signing: KS2 pupils sign on a classroom device in a session their teacher
leads and confirms; an EYFS/KS1 form is read aloud to the class and the teacher
records who was there.

Services (writes) and selectors (reads) for ClassSession, used by agreements.classroom
(the pages). Every signature still goes through agreements.services.sign."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import hash_token
from aup.models import AgreementForm, Audience, VersionStatus
from core import audit
from core.academic_year import AcademicYear
from core.audit import client_ip
from core.roles import Cap
from core.text import plural
from schools.models import Pupil, SchoolClass

from . import services
from .models import ClassSession, ClassSessionEntry, Kind, Method, Signature
from .selectors import PUPIL_KEY_STAGES, current_form_for, pupil_signatures, pupils_who_must_sign

UK = ZoneInfo("Europe/London")
KIOSK_MINUTES = 90
# The pupils' forms and how each is signed in class.
MODE_FOR_AUDIENCE = {Audience.KS2: ClassSession.Mode.KIOSK, Audience.EYFS_KS1: ClassSession.Mode.READ_ALOUD}
READ_ALOUD_HOUR = 9  # the time of day a read-aloud is recorded at (the exact time is not known)


class SessionEnded(Exception):
    """The kiosk's session was finished, confirmed, cancelled or has expired."""


# --- who may do it ------------------------------------------------------------------


def teaches(access, school_class: SchoolClass) -> bool:
    """The person is one of the class's teachers."""
    membership = access.membership
    return membership is not None and school_class.teachers.filter(pk=membership.pk).exists()


def may_lead(access, school_class: SchoolClass) -> bool:
    """A teacher of the class, or someone who sees the school's compliance (head,
    deputy, business manager), may run class signing for it."""
    return access.can(Cap.VIEW_COMPLIANCE) or teaches(access, school_class)


def may_review(access, user, session: ClassSession) -> bool:
    return session.led_by_id == user.pk or access.can(Cap.VIEW_COMPLIANCE)


# --- tokens and kiosk state ----------------------------------------------------------


def kiosk_session_for_token(token: str) -> ClassSession | None:
    """The kiosk session a token opens (whatever its state), or None."""
    if not token or len(token) < 20:
        return None
    return (
        ClassSession.objects.filter(mode=ClassSession.Mode.KIOSK, token_sha256=hash_token(token))
        .select_related("school", "school_class", "form__version__policy", "led_by")
        .first()
    )


def kiosk_is_open(session: ClassSession) -> bool:
    return (
        session.mode == ClassSession.Mode.KIOSK
        and session.confirmed_at is None
        and session.cancelled_at is None
        and session.expires_at is not None
        and session.expires_at > timezone.now()
    )


def is_pending(session: ClassSession) -> bool:
    """Neither confirmed nor cancelled: the teacher still has to decide."""
    return session.confirmed_at is None and session.cancelled_at is None


# --- selectors ----------------------------------------------------------------------


def display_names(pupils) -> dict[int, str]:
    """Pupil id -> first name and initial of the surname ("Amelia K."); where two
    pupils of the list would read the same, their whole surname."""
    short = {p.pk: f"{p.first_name} {p.last_name[:1]}." for p in pupils}
    seen: dict[str, int] = {}
    for name in short.values():
        seen[name] = seen.get(name, 0) + 1
    return {p.pk: (short[p.pk] if seen[short[p.pk]] == 1 else p.full_name) for p in pupils}


def class_pupils_for(form: AgreementForm, school_class: SchoolClass):
    """The pupils of the class the form is needed for (current, admitted, of the
    form's key stages)."""
    return pupils_who_must_sign(form, school=school_class.school).filter(school_class=school_class)


def pupils_still_needing(form: AgreementForm, school_class: SchoolClass, session: ClassSession | None = None):
    """The class's pupils who have not yet signed `form` (a signature that counts now)
    nor, when `session` is given, taken their turn in it: by first name, as a class
    list is read. A fixed number of queries."""
    pupils = list(class_pupils_for(form, school_class).order_by("first_name", "last_name", "pk"))
    signed = pupil_signatures([form], [p.pk for p in pupils])
    taken = set(session.entries.values_list("pupil_id", flat=True)) if session is not None else set()
    return [p for p in pupils if (form.pk, p.pk) not in signed and p.pk not in taken]


@dataclass
class PupilRow:
    pupil: Pupil
    signature: Signature | None

    @property
    def signed(self) -> bool:
        return self.signature is not None


@dataclass
class ClassForm:
    form: AgreementForm
    mode: str
    rows: list = field(default_factory=list)

    @property
    def signed_count(self) -> int:
        return sum(1 for r in self.rows if r.signed)

    @property
    def outstanding_count(self) -> int:
        return sum(1 for r in self.rows if not r.signed)

    @property
    def is_kiosk(self) -> bool:
        return self.mode == ClassSession.Mode.KIOSK


def class_agreements(school_class: SchoolClass) -> list[ClassForm]:
    """Each published pupils' form some pupil of the class needs (a mixed-age class
    can need both), with every such pupil and the signature that counts now, or None.
    Three queries however many pupils and forms."""
    today = timezone.localdate()
    pupils = list(
        Pupil.objects.current()
        .filter(school_class=school_class)
        .filter(Q(admission_date__isnull=True) | Q(admission_date__lte=today))
        .select_related("year_group")
        .order_by("last_name", "first_name", "pk")
    )
    forms = list(
        AgreementForm.objects.filter(
            version__policy__school_id=school_class.school_id,
            version__status=VersionStatus.PUBLISHED,
            audience__in=list(MODE_FOR_AUDIENCE),
        )
        .select_related("version__policy")
        .order_by("version__policy__title", "audience")
    )
    key_stages = {p.year_group.key_stage for p in pupils}
    forms = [f for f in forms if key_stages & set(PUPIL_KEY_STAGES[f.audience])]
    if not forms:
        return []
    this_year = AcademicYear.current().start_year
    every_year = {f.pk for f in forms if f.every_academic_year}
    latest: dict[tuple[int, int], Signature] = {}
    signatures = (
        Signature.objects.filter(form__in=forms, kind=Kind.SIGNATURE, pupil__in=[p.pk for p in pupils])
        .exclude(superseded_by__kind=Kind.WITHDRAWAL)
        .only("pk", "form_id", "pupil_id", "method", "signed_at", "academic_year")
        .order_by("signed_at", "pk")
    )
    for signature in signatures:
        if signature.form_id in every_year and signature.academic_year != this_year:
            continue
        latest[(signature.form_id, signature.pupil_id)] = signature
    results = []
    for form in forms:
        stages = set(PUPIL_KEY_STAGES[form.audience])
        rows = [PupilRow(p, latest.get((form.pk, p.pk))) for p in pupils if p.year_group.key_stage in stages]
        results.append(ClassForm(form, MODE_FOR_AUDIENCE[form.audience], rows))
    return results


def pending_sessions(school_class: SchoolClass):
    """Kiosk sessions of the class still waiting for the teacher, with entry counts."""
    return (
        ClassSession.objects.filter(
            school_class=school_class,
            mode=ClassSession.Mode.KIOSK,
            confirmed_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .select_related("led_by", "form__version__policy")
        .annotate(entry_count=Count("entries"))
        .order_by("-opened_at")
    )


def session_entries(session: ClassSession) -> list[ClassSessionEntry]:
    return list(session.entries.select_related("pupil").order_by("signed_at", "pk"))


def name_matches(typed: str, pupil: Pupil) -> bool:
    """Whether the name a pupil typed looks like theirs (their first name is in it),
    so the teacher's review can point out a slip."""
    words = {w.strip(".,-'").casefold() for w in typed.split()}
    return pupil.first_name.split()[0].casefold() in words if pupil.first_name.split() else False


# --- services -----------------------------------------------------------------------


def _published_pupils_form(form: AgreementForm, audience: str, school_class: SchoolClass) -> AgreementForm:
    form = AgreementForm.objects.select_related("version__policy").get(pk=form.pk)
    if form.version.policy.school_id != school_class.school_id or form.audience != audience:
        raise ValidationError("This form is not one the pupils of this class sign.")
    if form.version.status != VersionStatus.PUBLISHED:
        raise services.FormSuperseded(current_form_for(form.version.policy, form.audience))
    return form


def open_kiosk_session(*, form: AgreementForm, school_class: SchoolClass, led_by, request=None):
    """Open a class signing session for a KS2 form. Returns (session, token): the
    token is shown once, in the kiosk's address; only its SHA-256 is stored."""
    form = _published_pupils_form(form, Audience.KS2, school_class)
    if not pupils_still_needing(form, school_class):
        if not class_pupils_for(form, school_class).exists():
            raise ValidationError("No pupil in this class needs to sign this form.")
        raise ValidationError("Every pupil in this class who needs this form has already signed it.")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        session = ClassSession.objects.create(
            school_id=school_class.school_id,
            form=form,
            school_class=school_class,
            led_by=led_by,
            mode=ClassSession.Mode.KIOSK,
            held_on=timezone.localdate(now),
            token_sha256=hash_token(token),
            expires_at=now + datetime.timedelta(minutes=KIOSK_MINUTES),
        )
        audit.record(
            action="class_session.opened",
            actor=led_by,
            school=school_class.school,
            obj=session,
            request=request,
            summary=f"Opened a class signing session for {school_class.name}: {form.title}",
        )
    return session, token


def new_kiosk_link(*, session: ClassSession, by, request=None) -> str:
    """A fresh token for a session not yet confirmed or cancelled (the old link stops
    working), open for another 90 minutes: to move to another device, or carry on
    after finishing too early. Returns the token."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        session = ClassSession.objects.select_for_update().get(pk=session.pk)
        if not is_pending(session):
            raise ValidationError("This session is over: start a new one.")
        session.token_sha256 = hash_token(token)
        session.expires_at = timezone.now() + datetime.timedelta(minutes=KIOSK_MINUTES)
        session.save(update_fields=["token_sha256", "expires_at"])
        audit.record(
            action="class_session.new_link",
            actor=by,
            school=session.school,
            obj=session,
            request=request,
            summary=f"New kiosk link for the class signing session of {session.school_class.name}",
        )
    return token


def record_entry(
    *,
    session: ClassSession,
    pupil: Pupil,
    typed_name: str,
    statements_agreed: list[int],
    request=None,
    policy_presented_at=None,
    policy_opened_at=None,
) -> tuple[ClassSessionEntry, bool]:
    """A pupil's turn at the kiosk. Returns (entry, created): the same pupil
    submitting twice (double tap, back button) keeps the first entry."""
    if not kiosk_is_open(session):
        raise SessionEnded
    form = AgreementForm.objects.select_related("version__policy").get(pk=session.form_id)
    if form.version.status != VersionStatus.PUBLISHED:
        raise services.FormSuperseded(current_form_for(form.version.policy, form.audience))
    existing = ClassSessionEntry.objects.filter(session=session, pupil=pupil).first()
    if existing is not None:
        return existing, False
    if pupil.pk not in {p.pk for p in pupils_still_needing(form, session.school_class)}:
        raise ValidationError("This pupil does not need to sign this form.")
    typed_name = " ".join(typed_name.split())
    if len(typed_name) < 2:
        raise ValidationError({"typed_name": "Type your name."})
    numbers = sorted({s.number for s in form.statements.all()})
    if sorted(set(statements_agreed)) != numbers:
        raise ValidationError({"statements": "Tick to agree to every part, or ask your teacher."})
    try:
        with transaction.atomic():
            entry = ClassSessionEntry.objects.create(
                session=session,
                pupil=pupil,
                typed_name=typed_name[:200],
                statements_agreed=numbers,
                signed_at=timezone.now(),
                ip_address=client_ip(request),
                user_agent=(request.META.get("HTTP_USER_AGENT", "")[:500] if request else ""),
                policy_presented_at=policy_presented_at,
                policy_opened_at=policy_opened_at,
            )
    except IntegrityError:  # two taps at the same moment: the other one won
        return ClassSessionEntry.objects.get(session=session, pupil=pupil), False
    return entry, True


def close_kiosk(*, session: ClassSession, by=None, request=None) -> None:
    """The teacher finishes on the device: the token stops working at once; the
    entries wait for the teacher's confirmation."""
    with transaction.atomic():
        now = timezone.now()
        closed = ClassSession.objects.filter(pk=session.pk, expires_at__gt=now).update(expires_at=now)
        if closed and by is not None:
            audit.record(
                action="class_session.kiosk_closed",
                actor=by,
                school=session.school,
                obj=session,
                request=request,
                summary=f"Finished the kiosk of the class signing session of {session.school_class.name}",
            )


def remove_entry(*, session: ClassSession, entry_id: int, by, request=None) -> None:
    """Take out a wrong turn (a pupil who picked someone else's name) before confirming."""
    with transaction.atomic():
        session = ClassSession.objects.select_for_update().get(pk=session.pk)
        if not is_pending(session):
            raise ValidationError("This session is already over: its entries cannot be changed.")
        entry = session.entries.select_related("pupil").filter(pk=entry_id).first()
        if entry is None:
            return  # already removed (a second click)
        entry.delete()
        audit.record(
            action="class_session.entry_removed",
            actor=by,
            school=session.school,
            obj=session,
            request=request,
            summary=f"Removed the entry of {entry.pupil.full_name} (typed '{entry.typed_name}') from {session}",
        )


def confirm_session(*, session: ClassSession, by, request=None) -> list[Signature]:
    """The teacher confirms the session: one signature per entry, "signed by <pupil>
    in a class session led by <teacher>", all or none. Confirming twice makes no
    second signature (the submission keys are the session's and the pupil's)."""
    with transaction.atomic():
        session = (
            ClassSession.objects.select_for_update()
            .select_related("school", "school_class", "led_by")
            .get(pk=session.pk)
        )
        if session.cancelled_at is not None:
            raise ValidationError("This session was cancelled: nothing can be confirmed.")
        entries = session_entries(session)
        if session.confirmed_at is not None:
            return list(Signature.objects.filter(class_session=session))
        if not entries:
            raise ValidationError("No pupil has signed in this session yet. Cancel it if it is not needed.")
        form = AgreementForm.objects.select_related("version__policy").get(pk=session.form_id)
        # A pupil who signed meanwhile in another session needs no second signature.
        already = pupil_signatures([form], [entry.pupil_id for entry in entries])
        signatures = []
        for entry in entries:
            if (form.pk, entry.pupil_id) in already:
                continue
            signatures.append(
                services.sign(
                    form=form,
                    signer=None,
                    typed_name=entry.typed_name,
                    statements_agreed=entry.statements_agreed,
                    submission_key=f"class-session-{session.pk}-{entry.pupil_id}",
                    request=request,
                    method=Method.CLASS_SESSION,
                    pupil=entry.pupil,
                    led_by=session.led_by,
                    signed_at=entry.signed_at,
                    class_session=session,
                    # The pupil signed on the classroom device; the request is the teacher's.
                    device=(entry.ip_address, entry.user_agent),
                    # What the pupil's kiosk page showed of the policy, and when they opened it.
                    policy_presented_at=entry.policy_presented_at,
                    policy_opened_at=entry.policy_opened_at,
                )
            )
        now = timezone.now()
        session.confirmed_at = now
        session.expires_at = min(session.expires_at or now, now)
        session.save(update_fields=["confirmed_at", "expires_at"])
        audit.record(
            action="class_session.confirmed",
            actor=by,
            school=session.school,
            obj=session,
            request=request,
            summary=f"Confirmed {plural(len(signatures), 'pupil’s signature', 'pupils’ signatures')} of {form.title} in {session.school_class.name}",
        )
    return signatures


def cancel_session(*, session: ClassSession, by, request=None) -> None:
    """Nothing is signed; the kiosk stops working."""
    with transaction.atomic():
        session = ClassSession.objects.select_for_update().select_related("school_class").get(pk=session.pk)
        if session.confirmed_at is not None:
            raise ValidationError("This session is confirmed: its signatures are kept as evidence.")
        if session.cancelled_at is not None:
            return
        now = timezone.now()
        session.cancelled_at = now
        session.expires_at = min(session.expires_at or now, now)
        session.save(update_fields=["cancelled_at", "expires_at"])
        audit.record(
            action="class_session.cancelled",
            actor=by,
            school=session.school,
            obj=session,
            request=request,
            summary=f"Cancelled the class signing session of {session.school_class.name}; nothing was signed",
        )


def read_aloud_key(form: AgreementForm, pupil_id: int, held_on: datetime.date) -> str:
    return f"read-aloud-{form.pk}-{pupil_id}-{held_on:%Y%m%d}"


def check_read_aloud_date(held_on: datetime.date) -> None:
    today = timezone.localdate()
    if held_on > today:
        raise ValidationError({"held_on": "The day the form was read aloud cannot be in the future."})
    starts_on = AcademicYear.current().starts_on
    if held_on < starts_on:
        raise ValidationError({"held_on": f"Choose a day in this school year: on or after {starts_on:%d/%m/%Y}."})


def record_read_aloud(
    *,
    form: AgreementForm,
    school_class: SchoolClass,
    led_by,
    held_on: datetime.date,
    present_pupil_ids,
    request=None,
) -> ClassSession:
    """The teacher read the EYFS/KS1 form aloud to the class on `held_on`: one
    signature per pupil present (read aloud to <pupil> in class by <teacher>); the
    absent stay outstanding and can be recorded another day. Submitting twice
    records them once."""
    form = _published_pupils_form(form, Audience.EYFS_KS1, school_class)
    check_read_aloud_date(held_on)
    present = set(present_pupil_ids)
    if not present:
        raise ValidationError({"present": "Tick the pupils who were there when you read the form aloud."})
    with transaction.atomic():
        SchoolClass.objects.select_for_update().filter(pk=school_class.pk).first()  # one recording at a time
        needing = {p.pk: p for p in pupils_still_needing(form, school_class)}
        keys = {read_aloud_key(form, pid, held_on): pid for pid in present}
        done = dict(Signature.objects.filter(submission_key__in=keys).values_list("pupil_id", "class_session_id"))
        if present - set(needing) - set(done):
            raise ValidationError({"present": "Tick only pupils of this class who still need this form."})
        to_sign = [needing[pid] for pid in sorted(present & set(needing)) if pid not in done]
        if not to_sign:  # the same recording submitted twice
            return ClassSession.objects.get(pk=next(iter(done.values())))
        now = timezone.now()
        signed_at = min(datetime.datetime.combine(held_on, datetime.time(READ_ALOUD_HOUR, 0), tzinfo=UK), now)
        session = ClassSession.objects.create(
            school_id=school_class.school_id,
            form=form,
            school_class=school_class,
            led_by=led_by,
            mode=ClassSession.Mode.READ_ALOUD,
            held_on=held_on,
            confirmed_at=now,
        )
        statements = [s.number for s in form.statements.all()]
        for pupil in to_sign:
            services.sign(
                form=form,
                signer=None,
                typed_name=pupil.full_name,
                statements_agreed=statements,
                submission_key=read_aloud_key(form, pupil.pk, held_on),
                request=request,
                method=Method.READ_ALOUD,
                pupil=pupil,
                led_by=led_by,
                signed_at=signed_at,
                class_session=session,
            )
        absent = len(needing) - len(to_sign)
        audit.record(
            action="class_session.read_aloud",
            actor=led_by,
            school=school_class.school,
            obj=session,
            request=request,
            summary=(
                f"Read {form.title} aloud to {school_class.name} on {held_on:%d/%m/%Y}: "
                f"{len(to_sign)} present, {absent} still to do"
            ),
        )
    return session
