"""Every write to the equipment register: one transaction per use case, an audit event
each, sentences a teacher understands when something is refused."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from agreements import services as agreements
from agreements.models import Method, Signature
from agreements.selectors import forms_to_sign
from core import audit
from core.email import send_templated_email
from core.uploads import check_document
from schools.models import Guardianship, Membership

from .models import (
    Device,
    DeviceCheck,
    DeviceSettings,
    DeviceSighting,
    DeviceStatus,
    DeviceType,
    Disposal,
    Loan,
    LoanItem,
    LossReport,
)
from .selectors import loan_conditions, settings_for

MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024
CERTIFICATE_REFUSED = (
    "The certificate must be a PDF, PNG or JPEG file of 10 MB or less. Scan it again and attach that file."
)
NO_CONDITIONS = (
    "There are no published loan conditions yet, so nothing can be lent. Add a form for people borrowing "
    "school equipment to a policy and publish it first."
)
DEVICE_FIELDS = (
    "device_type",
    "make",
    "model",
    "serial_number",
    "asset_tag",
    "purchase_date",
    "cost",
    "encrypted",
    "location",
    "condition",
    "notes",
)
_EDITABLE_STATUSES = {DeviceStatus.AVAILABLE, DeviceStatus.IN_REPAIR}


# --- the register --------------------------------------------------------------------


def _check_unique(school, device, data):
    others = Device.objects.filter(school=school).exclude(pk=getattr(device, "pk", None))
    serial = " ".join(data["serial_number"].split())
    if not serial:
        raise ValidationError({"serial_number": "Enter the serial number, as printed on the device."})
    if others.filter(serial_number__iexact=serial).exists():
        raise ValidationError({"serial_number": "Another device of the school already has this serial number."})
    tag = " ".join(data.get("asset_tag", "").split())
    if tag and others.filter(asset_tag__iexact=tag).exists():
        raise ValidationError({"asset_tag": "Another device of the school already has this asset tag."})
    data["serial_number"], data["asset_tag"] = serial, tag


def add_device(*, school, by, request=None, **data) -> Device:
    with transaction.atomic():
        _check_unique(school, None, data)
        device = Device.objects.create(school=school, **{k: data[k] for k in DEVICE_FIELDS if k in data})
        audit.record(
            action="devices.added", actor=by, school=school, obj=device, request=request, summary=f"Added {device}"
        )
    return device


def edit_device(*, device, by, status=None, request=None, **data) -> Device:
    """Change a device's details; its status only between available and in repair (a
    loan, a loss or a disposal changes it otherwise)."""
    with transaction.atomic():
        device = Device.objects.select_for_update().get(pk=device.pk)
        if device.status == DeviceStatus.DISPOSED:
            raise ValidationError("This device has been disposed of: its record can no longer be changed.")
        _check_unique(device.school, device, data)
        for field in DEVICE_FIELDS:
            if field in data:
                setattr(device, field, data[field])
        if status and status != device.status:
            if status not in _EDITABLE_STATUSES or device.status not in _EDITABLE_STATUSES | {
                DeviceStatus.LOST_OR_STOLEN
            }:
                raise ValidationError({"status": "This device's status changes when it is lent, returned or lost."})
            device.status = status
        device.save()
        audit.record(
            action="devices.changed",
            actor=by,
            school=device.school,
            obj=device,
            request=request,
            summary=f"Changed {device}",
        )
    return device


def save_settings(*, school, by, laptops_must_be_encrypted: bool, staff_must_have_signed_agreement: bool, request=None):
    with transaction.atomic():
        settings, _ = DeviceSettings.objects.update_or_create(
            school=school,
            defaults={
                "laptops_must_be_encrypted": laptops_must_be_encrypted,
                "staff_must_have_signed_agreement": staff_must_have_signed_agreement,
            },
        )
        audit.record(
            action="devices.settings_changed",
            actor=by,
            school=school,
            obj=settings,
            request=request,
            summary="Changed the rules for lending equipment",
        )
    return settings


# --- lending -------------------------------------------------------------------------


class AgreementMissing(ValidationError):
    """Lending is refused because the borrower has not signed a form the school asks
    for: the message names the form, and `missing` ([(membership, form)]) lets the
    page offer to send it."""

    def __init__(self, field, message, missing):
        super().__init__({field: message})
        self.missing = missing


def _published_on(version) -> str:
    """ "1 December" this year, "1 December 2025" otherwise (UK order)."""
    if version.published_at is None:
        return ""
    day = timezone.localtime(version.published_at).date()
    text = f"{day.day} {day:%B}"
    return text if day.year == timezone.localdate().year else f"{text} {day.year}"


def form_name(form) -> str:
    """A form as people know it: "ICT and mobile phone acceptable use, version 2
    (published 1 December)"."""
    version = form.version
    published = _published_on(version)
    return f"{version.policy.title}, version {version.number}" + (f" (published {published})" if published else "")


def _check_borrower(school, borrower, pupil, carer, rules):
    if (borrower is None) == (pupil is None):
        raise ValidationError({"borrower": "Choose who is borrowing: a member of staff, or a pupil and their carer."})
    if borrower is not None:
        if borrower.school_id != school.pk or borrower.status != Membership.Status.ACTIVE or borrower.is_parent_only:
            raise ValidationError({"borrower": "Choose a current member of staff of this school."})
        if rules.staff_must_have_signed_agreement:
            missing = [(m, form) for m, form in forms_to_sign(borrower.user) if m.school_id == school.pk]
            if missing:
                names = " or ".join(form_name(form) for _, form in missing)
                raise AgreementMissing(
                    "borrower",
                    f"{borrower.user.full_name} has not signed {names}. The school lends equipment only to "
                    "staff who have: send it to them to sign, then lend.",
                    missing,
                )
        return
    if pupil.school_id != school.pk or carer is None:
        raise ValidationError({"pupil": "Choose a pupil of this school and the carer who signs for them."})
    if not Guardianship.objects.filter(pupil=pupil, carer=carer, parental_responsibility=True).exists():
        raise ValidationError(
            {"pupil": f"{carer.full_name} does not hold parental responsibility for {pupil.full_name}."}
        )


def lend(
    *,
    school,
    lent_by,
    devices,
    borrower: Membership | None = None,
    pupil=None,
    carer=None,
    due_on: datetime.date | None = None,
    until_leaving: bool = False,
    notes: str = "",
    request=None,
) -> Loan:
    """Lend one or more devices on one loan. The loan waits for the borrower's
    signature on the loan conditions; meanwhile the devices are theirs (reserved)."""
    device_ids = sorted({d.pk for d in devices})
    if not device_ids:
        raise ValidationError({"devices": "Choose at least one device to lend."})
    if not until_leaving and due_on is None:
        raise ValidationError({"due_on": "Give the date the equipment is due back, or choose “until they leave”."})
    if due_on is not None and due_on < timezone.localdate():
        raise ValidationError({"due_on": "The date it is due back cannot be in the past."})
    if loan_conditions(school) is None:
        raise ValidationError(NO_CONDITIONS, code="no_conditions")
    rules = settings_for(school)
    _check_borrower(school, borrower, pupil, carer, rules)
    try:
        with transaction.atomic():
            locked = list(Device.objects.select_for_update().filter(school=school, pk__in=device_ids).order_by("pk"))
            if len(locked) != len(device_ids):
                raise ValidationError({"devices": "Choose devices of this school."})
            for device in locked:
                if device.status != DeviceStatus.AVAILABLE:
                    raise ValidationError(
                        {"devices": f"{device.label} is {device.get_status_display().lower()}, so it cannot be lent."}
                    )
                if rules.laptops_must_be_encrypted and device.device_type == DeviceType.LAPTOP and not device.encrypted:
                    raise ValidationError(
                        {
                            "devices": f"{device.label} is not marked as encrypted. Laptops must be encrypted "
                            "before they are lent: ask the ICT manager to encrypt it, then mark it on its page."
                        }
                    )
            loan = Loan.objects.create(
                school=school,
                borrower=borrower,
                pupil=pupil,
                carer=carer if pupil is not None else None,
                due_on=None if until_leaving else due_on,
                until_leaving=until_leaving,
                notes=notes.strip(),
                lent_by=lent_by,
            )
            LoanItem.objects.bulk_create([LoanItem(loan=loan, device=device) for device in locked])
            Device.objects.filter(pk__in=device_ids).update(status=DeviceStatus.ON_LOAN)
            audit.record(
                action="devices.lent",
                actor=lent_by,
                school=school,
                obj=loan,
                request=request,
                summary=f"Lent {', '.join(d.label for d in locked)} to {loan.borrower_name}; awaiting signature",
            )
    except IntegrityError:
        # Another loan took one of the devices at the same moment: the database's
        # one-open-loan rule refused this one.
        raise ValidationError({"devices": "One of these devices has just been lent to someone else."}) from None
    return loan


def _labels(items) -> list[str]:
    return [item.device.label for item in items]


def _sign_conditions(*, loan, typed_name, statements_agreed, drawn_signature, submission_key, details, request):
    form = loan_conditions(loan.school)
    if form is None:
        raise ValidationError(NO_CONDITIONS)
    return agreements.sign(
        form=form,
        signer=loan.signer,
        typed_name=typed_name,
        statements_agreed=statements_agreed,
        drawn_signature=drawn_signature,
        submission_key=submission_key,
        method=Method.FOR_CHILD if loan.pupil_id else Method.SELF,
        pupil=loan.pupil,
        details=details,
        request=request,
    )


def sign_receipt(
    *, loan, typed_name, statements_agreed, submission_key, drawn_signature="", opened_by=None, request=None
) -> Signature:
    """The borrower signs the loan conditions for the loan's devices: in person on the
    office screen (`opened_by` is the office member) or remotely from their link."""
    with transaction.atomic():
        loan = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("school", "borrower__user", "pupil", "carer")
            .get(pk=loan.pk)
        )
        if loan.cancelled_at is not None:
            raise ValidationError("This loan was cancelled, so there is nothing to sign.")
        if loan.receipt_signature_id is not None:
            return loan.receipt_signature
        items = list(loan.items.select_related("device").order_by("pk"))
        # The member of staff handing the devices over countersigns the receipt, on the
        # same signed PDF (issue 20): the field for it is left open when it is signed.
        details = {"loan": loan.pk, "devices": _labels(items), "countersign": "handed_over_by"}
        if loan.pupil_id:
            details["for_pupil"] = loan.pupil.full_name
        if opened_by is not None and opened_by != loan.signer:
            details["signed_on_screen_of"] = opened_by.full_name
        signature = _sign_conditions(
            loan=loan,
            typed_name=typed_name,
            statements_agreed=statements_agreed,
            drawn_signature=drawn_signature,
            submission_key=submission_key,
            details=details,
            request=request,
        )
        loan.receipt_signature = signature
        loan.save(update_fields=["receipt_signature"])
        audit.record(
            action="devices.receipt_signed",
            actor=loan.signer,
            school=loan.school,
            obj=loan,
            request=request,
            summary=f"{typed_name} signed for {', '.join(details['devices'])}",
        )
    return signature


def countersign_handover(*, loan, by, typed_name: str, request=None):
    """The member of staff handing the devices over countersigns the borrower's
    receipt: a second signature on the same signed PDF, with who and when. Not the
    borrower themselves (a member of staff borrowing hands nothing over to themselves)."""
    from agreements.countersigning.services import countersign

    if loan.receipt_signature_id is None:
        raise ValidationError("The borrower has not signed for this loan yet.")
    if loan.borrower.user_id == by.pk or loan.signer == by:
        raise ValidationError("Someone other than the borrower hands the devices over and countersigns.")
    membership = Membership.objects.filter(user=by, school=loan.school).first()
    role = (membership.job_title if membership and membership.job_title else "Member of staff") + ", handing over"
    with transaction.atomic():
        countersignature = countersign(
            signature=loan.receipt_signature,
            signer=by,
            role="handed_over_by",
            typed_name=typed_name,
            relationship=role,
            request=request,
        )
        audit.record(
            action="devices.handed_over",
            actor=by,
            school=loan.school,
            obj=loan,
            request=request,
            summary=f"Countersigned the receipt on handing over {', '.join(loan.receipt_signature.details.get('devices', []))}",
        )
    return countersignature


def cancel_loan(*, loan, by, request=None) -> Loan:
    """Cancel a loan nobody has signed for yet: its devices are free again."""
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.receipt_signature_id is not None:
            raise ValidationError("This loan has been signed for: receive the devices back instead.")
        if loan.cancelled_at is not None:
            return loan
        now = timezone.now()
        loan.cancelled_at = now
        loan.save(update_fields=["cancelled_at"])
        items = LoanItem.objects.filter(loan=loan, returned_at__isnull=True)
        device_ids = list(items.values_list("device_id", flat=True))
        items.update(returned_at=now, received_by=by, ended_without_return="cancelled")
        Device.objects.filter(pk__in=device_ids, status=DeviceStatus.ON_LOAN).update(status=DeviceStatus.AVAILABLE)
        audit.record(
            action="devices.loan_cancelled",
            actor=by,
            school=loan.school,
            obj=loan,
            request=request,
            summary="Loan cancelled before it was signed",
        )
    return loan


def receive_return(
    *,
    loan,
    received_by,
    returns: dict[int, dict],
    typed_name: str,
    statements_agreed: list[int],
    submission_key: str,
    drawn_signature: str = "",
    request=None,
) -> Signature:
    """Devices come back. `returns` maps a loan item id to {"condition", "accessories",
    "personal_data_removed"}. The borrower signs the return on the office screen (the
    loan conditions again, with the devices returned), so the record shows that they
    handed these devices back in this state; the office member receiving them is
    recorded beside it."""
    if not returns:
        raise ValidationError({"items": "Tick the devices being returned."})
    with transaction.atomic():
        loan = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("school", "borrower__user", "pupil", "carer")
            .get(pk=loan.pk)
        )
        if loan.receipt_signature_id is None:
            raise ValidationError("Nobody has signed for this loan yet: cancel it instead.")
        items = list(
            LoanItem.objects.select_for_update(of=("self",))
            .filter(loan=loan, pk__in=list(returns), returned_at__isnull=True)
            .select_related("device")
            .order_by("pk")
        )
        if len(items) != len(returns):
            raise ValidationError({"items": "One of these devices has already been returned. Reload the page."})
        for item in items:
            if item.device.needs_data_removed and not returns[item.pk].get("personal_data_removed"):
                raise ValidationError(
                    {
                        f"item_{item.pk}_personal_data_removed": f"Confirm that photos, messages and other personal "
                        f"data have been removed from {item.device.label}."
                    }
                )
        details = {"return_of_loan": loan.pk, "devices": _labels(items), "received_by": received_by.full_name}
        signature = _sign_conditions(
            loan=loan,
            typed_name=typed_name,
            statements_agreed=statements_agreed,
            drawn_signature=drawn_signature,
            submission_key=submission_key,
            details=details,
            request=request,
        )
        now = timezone.now()
        for item in items:
            answer = returns[item.pk]
            item.returned_at = now
            item.received_by = received_by
            item.return_condition = answer.get("condition", "").strip()
            item.accessories_returned = answer.get("accessories", "").strip()
            item.personal_data_removed = bool(answer.get("personal_data_removed"))
            item.return_signature = signature
            item.save()
            item.device.condition = item.return_condition or item.device.condition
            item.device.status = DeviceStatus.AVAILABLE
            item.device.save(update_fields=["condition", "status"])
        audit.record(
            action="devices.returned",
            actor=received_by,
            school=loan.school,
            obj=loan,
            request=request,
            summary=f"{loan.borrower_name} returned {', '.join(details['devices'])}",
        )
    return signature


# --- loss and disposal -----------------------------------------------------------------


def report_lost(
    *, device, reported_by, happened_at, where: str, what_happened: str, submission_key: str, request=None
) -> LossReport:
    """Mark the device lost or stolen, end its loan, and open an e-safety incident
    ("lost or stolen equipment or data") on behalf of the person reporting."""
    from incidents.models import Category
    from incidents.services import report_incident

    what_happened, where = what_happened.strip(), " ".join(where.split())
    if not what_happened:
        raise ValidationError({"what_happened": "Say what happened."})
    if not where:
        raise ValidationError({"where": "Say where it happened, as far as you know."})
    if happened_at > timezone.now():
        raise ValidationError({"happened_at": "The time it happened cannot be in the future."})
    with transaction.atomic():
        device = Device.objects.select_for_update(of=("self",)).select_related("school").get(pk=device.pk)
        if device.status in (DeviceStatus.LOST_OR_STOLEN, DeviceStatus.DISPOSED):
            raise ValidationError(f"This device is already recorded as {device.get_status_display().lower()}.")
        item = (
            LoanItem.objects.filter(device=device, returned_at__isnull=True)
            .select_related("loan__borrower__user", "loan__pupil", "loan__carer")
            .first()
        )
        holder = f" It was on loan to {item.loan.borrower_name}." if item else ""
        encrypted = "It is encrypted." if device.encrypted else "It is NOT marked as encrypted."
        incident = report_incident(
            school=device.school,
            reported_by=reported_by,
            occurred_at=happened_at,
            category=Category.LOST_OR_STOLEN,
            description=f"{device.label}"
            + (f", asset tag {device.asset_tag}" if device.asset_tag else "")
            + f", reported lost or stolen.{holder} {encrypted}\n\n{what_happened}",
            submission_key=f"device-lost-{submission_key}"[:64],
            location=where,
            request=request,
        )
        if item is not None:
            item.returned_at = timezone.now()
            item.ended_without_return = "lost"
            item.return_condition = "Reported lost or stolen"
            item.save(update_fields=["returned_at", "ended_without_return", "return_condition"])
        device.status = DeviceStatus.LOST_OR_STOLEN
        device.save(update_fields=["status"])
        report = LossReport.objects.create(
            device=device,
            happened_at=happened_at,
            where=where,
            what_happened=what_happened,
            reported_by=reported_by,
            incident=incident,
        )
        audit.record(
            action="devices.lost",
            actor=reported_by,
            school=device.school,
            obj=device,
            request=request,
            # The incident is named on the device's record, for those who may open it.
            summary=f"{device} reported lost or stolen; an e-safety incident was opened",
        )
    return report


def check_certificate(upload) -> tuple[str, str]:
    """The certificate's content type and extension, recognised by its first bytes."""
    return check_document(upload, field="certificate", max_bytes=MAX_CERTIFICATE_BYTES, refused=CERTIFICATE_REFUSED)


def dispose(
    *, device, recorded_by, contractor: str, disposed_on: datetime.date, weee_note: str, certificate, request=None
) -> Disposal:
    """Record that the device left the school for good. Final: it is never lent again."""
    contractor = " ".join(contractor.split())
    if not contractor:
        raise ValidationError({"contractor": "Give the name of the contractor who took the device."})
    if disposed_on > timezone.localdate():
        raise ValidationError({"disposed_on": "The date of disposal cannot be in the future."})
    content_type, extension = check_certificate(certificate)
    with transaction.atomic():
        device = Device.objects.select_for_update(of=("self",)).select_related("school").get(pk=device.pk)
        if device.status == DeviceStatus.DISPOSED:
            raise ValidationError("This device has already been disposed of.")
        if LoanItem.objects.filter(device=device, returned_at__isnull=True).exists():
            raise ValidationError("This device is on loan. Receive it back before disposing of it.")
        disposal = Disposal(
            device=device,
            contractor=contractor,
            disposed_on=disposed_on,
            weee_note=weee_note.strip(),
            certificate_content_type=content_type,
            recorded_by=recorded_by,
        )
        certificate.seek(0)
        disposal.certificate.save(f"certificate-{device.pk}.{extension}", ContentFile(certificate.read()), save=False)
        try:
            disposal.save()
            device.status = DeviceStatus.DISPOSED
            device.save(update_fields=["status"])
        except Exception:
            disposal.certificate.delete(save=False)
            raise
        audit.record(
            action="devices.disposed",
            actor=recorded_by,
            school=device.school,
            obj=device,
            request=request,
            summary=f"{device} disposed of by {contractor} on {disposed_on:%d/%m/%Y}",
        )
    return disposal


# --- the annual check ------------------------------------------------------------------


def start_check(*, school, by, request=None) -> DeviceCheck:
    """Start the annual check, or carry on with the one already open."""
    with transaction.atomic():
        existing = DeviceCheck.objects.select_for_update().filter(school=school, finished_at__isnull=True).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                check = DeviceCheck.objects.create(school=school, started_by=by)
        except IntegrityError:
            return DeviceCheck.objects.get(school=school, finished_at__isnull=True)
        audit.record(
            action="devices.check_started",
            actor=by,
            school=school,
            obj=check,
            request=request,
            summary="Equipment check started",
        )
    return check


def mark_seen(*, check: DeviceCheck, device: Device, by) -> DeviceSighting:
    """Tick a device as seen in the open check. Ticking twice is harmless."""
    if check.finished_at is not None:
        raise ValidationError("This check is finished. Start a new one.")
    if device.school_id != check.school_id or device.status == DeviceStatus.DISPOSED:
        raise ValidationError("This device is not on the register being checked.")
    sighting, _ = DeviceSighting.objects.get_or_create(device_check=check, device=device, defaults={"seen_by": by})
    return sighting


def finish_check(*, check: DeviceCheck, by, request=None) -> DeviceCheck:
    with transaction.atomic():
        check = DeviceCheck.objects.select_for_update().get(pk=check.pk)
        if check.finished_at is None:
            check.finished_at = timezone.now()
            check.finished_by = by
            check.save(update_fields=["finished_at", "finished_by"])
            seen = check.sightings.count()
            audit.record(
                action="devices.check_finished",
                actor=by,
                school=check.school,
                obj=check,
                request=request,
                summary=f"Equipment check finished: {seen} device{'s' if seen != 1 else ''} seen",
            )
    return check


def email_loan_link(*, loan: Loan, link: str, by, request=None) -> None:
    """Email the borrower (or the carer signing for a pupil) the link to sign for a loan."""
    send_templated_email(
        to=[loan.signer.email],
        template="loan_sign",
        context={"loan": loan, "items": list(loan.items.all()), "link": link, "school": loan.school},
    )
    audit.record(
        action="devices.sign_link_sent",
        actor=by,
        school=loan.school,
        obj=loan,
        request=request,
        summary=f"Emailed the signing link to {loan.signer.full_name}",
    )


def email_agreement_link(*, school, membership: Membership, form, link: str, by, request=None) -> None:
    """Email a member of staff the link to sign the agreement that a loan to them waits for."""
    send_templated_email(
        to=[membership.user.email],
        template="sign_agreement",
        context={
            "school": school,
            "person": membership.user,
            "form_name": form_name(form),
            "link": link,
            "sent_by": by,
        },
    )
    audit.record(
        action="devices.agreement_sent",
        actor=by,
        school=school,
        obj=membership,
        request=request,
        summary=f"Emailed {membership.user.full_name} the link to sign an agreement before a loan",
    )
