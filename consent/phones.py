"""Mobile phone permission slips (seed 004 §32.1, seed 003 §3.2.6): writes and reads.

A carer with parental responsibility asks, with a reason, for one child to bring a
phone, agreeing to the school's rules and typing their name (evidence, like a
signature). The head approves or refuses (a refusal gives a reason the carer sees);
an approval lasts until the carer or the head ends it. The database allows one open
(waiting or approved) permission per child; the office keeps the list of pupils who
hand a phone in."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass

from celery import shared_task
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from agreements.tasks import EMAIL_RETRY_BACKOFF, EMAIL_RETRY_BACKOFF_MAX
from core import audit
from core.audit import client_ip
from core.email import send_templated_email
from schools.models import Guardianship

from .models import PhonePermission, PhoneStatus

logger = logging.getLogger(__name__)

OPEN = (PhoneStatus.REQUESTED, PhoneStatus.APPROVED)

# The rules a carer agrees to, in the seeds' words (seed 004 §32.1, seed 003 §3.2.6).
PHONE_RULES = [
    "Your child hands the phone in to the school office at the start of the school day, "
    "and collects it from the office at the end of the day.",
    "Your child does not use the phone in school. While it is kept at the office it is switched off or on silent.",
    "The phone comes to school at your child's own risk: the school is not responsible for the loss, "
    "damage or theft of any personal mobile device.",
    "Your child does not send unkind or inappropriate messages to anyone in the school community.",
    "Your child asks permission before taking any photo, video or sound recording of anyone in the school community.",
    "There is nothing inappropriate or illegal on the phone.",
]

ALREADY_OPEN = (
    "There is already a request or a permission for this child. You can end it below and then ask again, "
    "or contact the school office."
)


class AlreadyOpen(ValidationError):
    def __init__(self):
        super().__init__(ALREADY_OPEN)


# --- Writes ---------------------------------------------------------------------------


def request_permission(
    *, carer, pupil, reason: str, typed_name: str, agreed: bool, submission_key: str, request=None
) -> PhonePermission:
    """The carer's signed request. The same form submitted twice (double click, back
    button) makes one request."""
    existing = PhonePermission.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        if existing.carer_id != carer.pk:
            raise ValidationError("This form has expired. Please fill it in again.")
        return existing
    reason = (reason or "").strip()
    typed_name = " ".join((typed_name or "").split())
    errors = {}
    if not reason:
        errors["reason"] = "Say why your child needs to bring a phone."
    if not agreed:
        errors["agree"] = "Tick to agree to the rules."
    if len(typed_name) < 2:
        errors["typed_name"] = "Type your full name to sign."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        guardianship = (
            Guardianship.objects.select_for_update()
            .select_related("pupil__school")
            .filter(carer=carer, pupil=pupil, parental_responsibility=True)
            .first()
        )
        if guardianship is None:
            raise PermissionDenied("Only a carer with parental responsibility can ask for this child.")
        pupil = guardianship.pupil
        if PhonePermission.objects.filter(pupil=pupil, status__in=OPEN).exists():
            raise AlreadyOpen()
        try:
            with transaction.atomic():
                permission = PhonePermission.objects.create(
                    school=pupil.school,
                    pupil=pupil,
                    carer=carer,
                    reason=reason[:1000],
                    signer_name=typed_name[:200],
                    signed_at=timezone.now(),
                    ip_address=client_ip(request),
                    user_agent=(request.META.get("HTTP_USER_AGENT", "")[:500] if request else ""),
                    submission_key=submission_key,
                )
        except IntegrityError:
            # Another submission got there first: the same form, or a second carer.
            same = PhonePermission.objects.filter(submission_key=submission_key, carer=carer).first()
            if same is not None:
                return same
            raise AlreadyOpen() from None
        audit.record(
            action="phones.requested",
            actor=carer,
            school=pupil.school,
            obj=permission,
            request=request,
            summary=f"{typed_name} asked for {pupil.full_name} to bring a mobile phone to school",
        )
    return permission


def _locked(permission) -> PhonePermission:
    return (
        PhonePermission.objects.select_for_update(of=("self",)).select_related("pupil", "school").get(pk=permission.pk)
    )


@transaction.atomic
def decide(*, permission: PhonePermission, by, approve: bool, note: str = "", request=None) -> PhonePermission:
    """The head approves or refuses a waiting request; a refusal needs a reason, which
    the carer sees. The carer is emailed the decision."""
    permission = _locked(permission)
    if permission.status != PhoneStatus.REQUESTED:
        raise ValidationError("This request has already been decided.")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": "Give a reason for refusing: the parent or carer will see it."})
    permission.status = PhoneStatus.APPROVED if approve else PhoneStatus.REFUSED
    permission.decided_by = by
    permission.decided_at = timezone.now()
    permission.decision_note = note
    permission.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(
        action="phones.approved" if approve else "phones.refused",
        actor=by,
        school=permission.school,
        obj=permission,
        request=request,
        summary=f"{'Approved' if approve else 'Refused'} a mobile phone for {permission.pupil.full_name}",
    )
    notify_phone_decision.delay_on_commit(permission.pk)
    return permission


@transaction.atomic
def end(*, permission: PhonePermission, by, request=None) -> PhonePermission:
    """End an approval (the child no longer brings a phone), or withdraw a request
    still waiting."""
    permission = _locked(permission)
    if permission.status not in OPEN:
        raise ValidationError("This permission has already ended.")
    was = permission.status
    permission.status = PhoneStatus.ENDED
    permission.ended_by = by
    permission.ended_at = timezone.now()
    permission.save(update_fields=["status", "ended_by", "ended_at"])
    audit.record(
        action="phones.ended" if was == PhoneStatus.APPROVED else "phones.withdrawn",
        actor=by,
        school=permission.school,
        obj=permission,
        request=request,
        summary=f"Ended the mobile phone permission for {permission.pupil.full_name}",
    )
    return permission


# --- Reads ----------------------------------------------------------------------------


def _current_pupil(today=None):
    today = today or timezone.localdate()
    return Q(pupil__leaving_date__isnull=True) | Q(pupil__leaving_date__gt=today)


def waiting(school):
    """Requests waiting for the head, oldest first: one query."""
    return (
        PhonePermission.objects.filter(school=school, status=PhoneStatus.REQUESTED)
        .filter(_current_pupil())
        .select_related("pupil__school_class", "pupil__year_group", "carer")
        .order_by("signed_at", "pk")
    )


@dataclass
class ClassList:
    name: str
    permissions: list


def approved_by_class(school) -> list[ClassList]:
    """Pupils on the roll who may bring a phone, by class (then year for pupils with
    no class), by name: one query however many."""
    permissions = (
        PhonePermission.objects.filter(school=school, status=PhoneStatus.APPROVED)
        .filter(_current_pupil())
        .select_related("pupil__school_class", "pupil__year_group")
        .order_by(
            "pupil__year_group__position", "pupil__school_class__name", "pupil__first_name", "pupil__last_name", "pk"
        )
    )
    groups: dict[str, ClassList] = {}
    for permission in permissions:
        pupil = permission.pupil
        name = pupil.school_class.name if pupil.school_class_id else f"{pupil.year_group.name} (no class)"
        groups.setdefault(name, ClassList(name, [])).permissions.append(permission)
    return list(groups.values())


@dataclass
class FamilyPhone:
    guardianship: Guardianship
    latest: PhonePermission | None  # the child's latest request, whoever asked

    @property
    def pupil(self):
        return self.guardianship.pupil

    @property
    def is_open(self) -> bool:
        return self.latest is not None and self.latest.status in OPEN

    @property
    def can_ask(self) -> bool:
        return self.guardianship.parental_responsibility and not self.is_open


def family_phones(guardianships) -> list[FamilyPhone]:
    """Each of this person's children with their latest phone request: one query."""
    guardianships = list(guardianships)
    if not guardianships:
        return []
    latest = {}
    for permission in PhonePermission.objects.filter(pupil_id__in=[g.pupil_id for g in guardianships]).order_by(
        "signed_at", "pk"
    ):
        latest[permission.pupil_id] = permission  # later rows win
    return [FamilyPhone(g, latest.get(g.pupil_id)) for g in guardianships]


# --- The email of the decision --------------------------------------------------------


@shared_task(
    acks_late=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=EMAIL_RETRY_BACKOFF,
    retry_backoff_max=EMAIL_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=8,
)
def notify_phone_decision(permission_id: int):
    """Email the head's decision to every carer with parental responsibility for the
    child, exactly once: the permission is marked (committed) before the mail server
    is called, as agreements.tasks.send_signed_pdf_email does. A failed send removes
    the mark and retries; a worker that dies mid-send leaves it marked (not resent)."""
    claimed = PhonePermission.objects.filter(
        pk=permission_id,
        status__in=[PhoneStatus.APPROVED, PhoneStatus.REFUSED],
        decision_emailed_at__isnull=True,
    ).update(decision_emailed_at=timezone.now())
    if not claimed:
        return
    permission = PhonePermission.objects.select_related("school", "pupil").get(pk=permission_id)
    to = sorted(
        set(
            Guardianship.objects.filter(pupil=permission.pupil_id, parental_responsibility=True)
            .exclude(carer__email="")
            .values_list("carer__email", flat=True)
        )
    )
    if not to:
        return
    try:
        send_templated_email(
            to=to,
            template="phone_decision",
            context={"permission": permission, "school": permission.school, "pupil": permission.pupil},
        )
    except Exception:
        PhonePermission.objects.filter(pk=permission_id).update(decision_emailed_at=None)
        raise
    logger.info("Emailed the phone decision %s", permission.pk)
