"""The evidence section of a signed PDF: who signed, for whom, how, when (UK time),
from which device, the name as typed, the drawn signature, the hashes of the texts
and who led or recorded it, said the right way for each way of signing."""

from __future__ import annotations

from dataclasses import dataclass

from aup.models import Audience
from core.pdf import uk_date, uk_datetime

from .models import Method

NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class EvidenceRow:
    label: str
    value: str = ""
    image: str = ""  # a data: URL (the drawn signature)
    small: bool = False  # long values: hashes and user agents


def policy_rows(signature) -> list[EvidenceRow]:
    """Which policy the statements refer to (the SHA-256 of the version's text and of
    its document, as the signature recorded them) and, where the portal showed it,
    when the signing page showed the policy and when the person opened it."""
    rows = []
    if signature.policy_body_sha256:
        rows.append(EvidenceRow("Policy text (SHA-256)", signature.policy_body_sha256, small=True))
    if signature.policy_document_sha256:
        rows.append(EvidenceRow("Policy document (SHA-256)", signature.policy_document_sha256, small=True))
    if signature.policy_presented_at:
        rows.append(EvidenceRow("Policy shown on the signing page", uk_datetime(signature.policy_presented_at)))
    if signature.policy_opened_at:
        rows.append(EvidenceRow("Policy opened", uk_datetime(signature.policy_opened_at)))
    return rows


def _person(user) -> str:
    return f"{user.full_name} ({user.email})" if user.full_name != user.email else user.email


def _is_pupils_own_form(signature) -> bool:
    return signature.form.audience in (Audience.KS2, Audience.EYFS_KS1)


def _signed_by(signature) -> EvidenceRow:
    method, pupil = signature.method, signature.pupil
    if method == Method.READ_ALOUD:
        return EvidenceRow("Read aloud to", f"{pupil.full_name}, a pupil")
    if method == Method.CLASS_SESSION:
        return EvidenceRow("Signed by", f"{pupil.full_name}, a pupil")
    if method == Method.VISITOR_KIOSK:
        return EvidenceRow("Signed by", f"{signature.signer_name}, a visitor")
    if method == Method.PAPER and signature.signer_id is None:
        if signature.form.audience == Audience.EYFS_KS1:
            return EvidenceRow("Paper form of", f"{pupil.full_name}, a pupil")
        if signature.form.audience == Audience.KS2:
            return EvidenceRow("Signed by", f"{pupil.full_name}, a pupil, on paper")
        return EvidenceRow("Signed by", f"{signature.signer_name}, a parent or carer, on paper")
    who = _person(signature.signer) if signature.signer_id else signature.signer_name
    if method == Method.FOR_CHILD:
        who += ", a parent or carer"
    return EvidenceRow("Signed by", who)


def _for_whom(signature) -> str:
    own = signature.method in (Method.CLASS_SESSION, Method.READ_ALOUD) or (
        signature.method == Method.PAPER and _is_pupils_own_form(signature)
    )
    if signature.pupil_id is None or own:
        return "Themselves"
    return f"{signature.pupil.full_name}, their child"


def _when(signature) -> list[EvidenceRow]:
    method = signature.method
    session = signature.class_session
    if method == Method.CLASS_SESSION:
        rows = [EvidenceRow("Signed on the classroom device", uk_datetime(signature.signed_at))]
        if session is not None and session.confirmed_at:
            rows.append(EvidenceRow("Confirmed by the teacher", uk_datetime(session.confirmed_at)))
        return rows
    if method == Method.READ_ALOUD:
        rows = [EvidenceRow("Read aloud on", uk_date(signature.signed_at))]
        if session is not None and session.confirmed_at:
            rows.append(EvidenceRow("Recorded in the portal", uk_datetime(session.confirmed_at)))
        return rows
    if method == Method.PAPER:
        rows = [EvidenceRow("Signed on paper on", uk_date(signature.signed_at))]
        scan = getattr(signature, "paper_scan", None)
        if scan is not None and scan.uploaded_at:
            rows.append(EvidenceRow("Recorded in the portal", uk_datetime(scan.uploaded_at)))
        return rows
    return [EvidenceRow("Date and time (UK)", uk_datetime(signature.signed_at))]


def _led_or_recorded_by(signature) -> list[EvidenceRow]:
    if not signature.led_by_id:
        return []
    label = {
        Method.CLASS_SESSION: "Session led by",
        Method.READ_ALOUD: "Read aloud by",
        Method.PAPER: "Recorded by",
    }.get(signature.method, "Led by")
    return [EvidenceRow(label, _person(signature.led_by))]


def _devices(signature) -> list[EvidenceRow]:
    ip, agent = signature.ip_address or NOT_RECORDED, signature.user_agent or NOT_RECORDED
    match signature.method:
        case Method.CLASS_SESSION:
            return [
                EvidenceRow("Classroom device IP address", ip),
                EvidenceRow("Classroom device browser", agent, small=True),
                EvidenceRow("Teacher's device IP address", signature.confirmed_ip_address or NOT_RECORDED),
                EvidenceRow("Teacher's device browser", signature.confirmed_user_agent or NOT_RECORDED, small=True),
            ]
        case Method.READ_ALOUD | Method.PAPER:
            # Nobody signed on a device: the address is the one it was recorded from.
            return [
                EvidenceRow("Recorded from IP address", ip),
                EvidenceRow("Recorded from browser", agent, small=True),
            ]
        case _:
            return [EvidenceRow("IP address", ip), EvidenceRow("Browser (user agent)", agent, small=True)]


def _typed_name(signature) -> EvidenceRow:
    match signature.method:
        case Method.READ_ALOUD:
            return EvidenceRow("Name as typed", "None: the form was read aloud to the pupil")
        case Method.PAPER:
            return EvidenceRow("Name as written on the form", signature.signer_name)
        case _:
            return EvidenceRow("Name as typed", signature.signer_name)


def _drawn(signature) -> EvidenceRow:
    if signature.drawn_signature:
        return EvidenceRow("Signature as drawn", image=signature.drawn_signature)
    if signature.method == Method.PAPER:
        return EvidenceRow("Signature as drawn", "On the paper form: see its scan")
    return EvidenceRow("Signature as drawn", "None drawn")


def _details(signature) -> list[EvidenceRow]:
    """What a reception visitor or a loan of equipment adds."""
    details = signature.details or {}
    rows = []
    if details.get("organisation"):
        rows.append(EvidenceRow("Organisation", details["organisation"]))
    if details.get("visiting"):
        rows.append(EvidenceRow("Visiting", details["visiting"]))
    if details.get("devices"):
        label = "Devices returned" if details.get("return_of_loan") else "Devices"
        rows.append(EvidenceRow(label, "\n".join(details["devices"])))
    if details.get("signed_on_screen_of"):
        rows.append(EvidenceRow("Signed on the screen of", details["signed_on_screen_of"]))
    if details.get("received_by"):
        rows.append(EvidenceRow("Devices received by", details["received_by"]))
    return rows


def evidence_rows(signature) -> list[EvidenceRow]:
    """The evidence section of the signed PDF, in reading order."""
    statements = ", ".join(str(n) for n in signature.statements_agreed) or "None"
    rows = [
        _signed_by(signature),
        EvidenceRow("For whom", _for_whom(signature)),
        EvidenceRow("Method", signature.get_method_display()),
        *_details(signature),
        *_when(signature),
        *_led_or_recorded_by(signature),
        *_devices(signature),
        _typed_name(signature),
        _drawn(signature),
        EvidenceRow("Statements agreed", statements),
        EvidenceRow("Form text (SHA-256)", signature.text.sha256, small=True),
    ]
    return rows + policy_rows(signature)
