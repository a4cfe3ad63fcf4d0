"""The chain of events on a signed PDF's evidence page, read like an audit trail
(DocuSeal's): when the form was sent, each reminder, when the signing page was opened
and the policy read, when it was signed and confirmed, and the countersignature.

Built from what the signature records (it is evidence: these times never change),
its class session or paper scan, and what other apps register (core.signing_events:
the reminders emailed before it was signed)."""

from __future__ import annotations

from dataclasses import dataclass

from core.pdf import UK, uk_date
from core.signing_events import ChainEvent, registered_events

from .models import Countersignature, Method


@dataclass(frozen=True)
class ChainRow:
    when: str
    what: str
    detail: str


def _device(ip, agent) -> str:
    parts = []
    if ip:
        parts.append(f"IP address {ip}")
    if agent:
        parts.append(agent)
    return "; ".join(parts)


def _sent(signature) -> list[ChainEvent]:
    """When the form reached the signer: a class session opened, or the version published."""
    session = signature.class_session
    if session is not None:
        what = "Class session opened" if signature.method == Method.CLASS_SESSION else "Read-aloud recorded"
        return [ChainEvent(session.opened_at, what, f"By {session.led_by.full_name}, for {session.school_class.name}")]
    version = signature.form.version
    if version.published_at and signature.method not in (Method.PAPER,):
        return [ChainEvent(version.published_at, "Sent", f"{signature.form.title} published for signing")]
    return []


def _opened(signature) -> list[ChainEvent]:
    events = []
    if signature.policy_presented_at:
        events.append(ChainEvent(signature.policy_presented_at, "Opened", "Signing page opened; the policy was shown"))
    if signature.policy_opened_at:
        events.append(ChainEvent(signature.policy_opened_at, "Policy read", "The signer opened the policy"))
    return events


def _signed(signature) -> list[ChainEvent]:
    method = signature.method
    if method == Method.READ_ALOUD:
        who = signature.led_by.full_name if signature.led_by_id else "the teacher"
        return [ChainEvent(signature.signed_at, "Read aloud", f"By {who}", date_only=True)]
    if method == Method.PAPER:
        events = [ChainEvent(signature.signed_at, "Signed on paper", signature.signer_name, date_only=True)]
        scan = getattr(signature, "paper_scan", None)
        if scan is not None and scan.uploaded_at:
            who = signature.led_by.full_name if signature.led_by_id else "the office"
            events.append(ChainEvent(scan.uploaded_at, "Recorded", f"Paper form and scan recorded by {who}"))
        return events
    device = _device(signature.ip_address, signature.user_agent)
    events = [ChainEvent(signature.signed_at, "Signed", f"{signature.how}" + (f"; {device}" if device else ""))]
    session = signature.class_session
    if method == Method.CLASS_SESSION and session is not None and session.confirmed_at:
        device = _device(signature.confirmed_ip_address, signature.confirmed_user_agent)
        events.append(
            ChainEvent(
                session.confirmed_at,
                "Confirmed",
                f"By the teacher, {session.led_by.full_name}" + (f"; {device}" if device else ""),
            )
        )
    return events


def _countersigned(signature) -> list[ChainEvent]:
    countersignature = getattr(signature, "countersignature", None)
    if countersignature is None:
        return []
    device = _device(countersignature.ip_address, countersignature.user_agent)
    return [
        ChainEvent(
            countersignature.signed_at,
            "Countersigned",
            f"By {countersignature.signer_name} ({countersignature.relationship})" + (f"; {device}" if device else ""),
        )
    ]


def _when(event: ChainEvent) -> str:
    if event.date_only:
        return uk_date(event.at)
    local = event.at.astimezone(UK)
    return f"{local.day} {local:%b %Y}, {local:%H:%M:%S} {local.tzname()}"


def chain_of_events(signature, *, issued_at=None) -> list[ChainRow]:
    """Every event, oldest first; the document's issue last, and a countersignature
    still awaited said as such (it is added to the PDF as a second digital signature)."""
    events = [
        *_sent(signature),
        *registered_events(signature),
        *_opened(signature),
        *_signed(signature),
        *_countersigned(signature),
    ]
    events.sort(key=lambda e: e.at)
    if issued_at is not None:
        events.append(ChainEvent(issued_at, "Issued", "This PDF made and sealed with the portal's digital signature"))
    rows = [ChainRow(_when(e), e.what, e.detail) for e in events]
    role = (signature.details or {}).get("countersign")
    if role and getattr(signature, "countersignature", None) is None:
        label = Countersignature.Role(role).label
        rows.append(
            ChainRow(
                "Awaited",
                "Countersignature",
                f"{label}: added to this PDF as a second digital signature, in the box below",
            )
        )
    return rows
