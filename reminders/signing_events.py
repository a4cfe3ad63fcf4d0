"""The reminders emailed about a form before it was signed: the "sent" lines of a
signed PDF's chain of events (core.signing_events)."""

from __future__ import annotations

from core.signing_events import ChainEvent, register

from .models import ReminderEmail, ReminderItem


def _subject_keys(signature) -> list[tuple[int | None, str]]:
    """(recipient id, subject key) of the reminders that asked for this signature: the
    signer's own, the parent's for this child, or the class teacher's for the class."""
    form_id = signature.form_id
    keys = []
    if signature.signer_id:
        keys.append((signature.signer_id, f"form:{form_id}"))
        if signature.pupil_id:
            keys.append((signature.signer_id, f"form:{form_id}:pupil:{signature.pupil_id}"))
    session = signature.class_session if signature.class_session_id else None
    if session is not None:
        keys.append((session.led_by_id, f"form:{form_id}:class:{session.school_class_id}"))
    return keys


@register
def reminders_sent(signature):
    keys = _subject_keys(signature)
    if not keys:
        return []
    items = ReminderItem.objects.none()
    for recipient_id, key in keys:
        items = items | ReminderItem.objects.filter(recipient_id=recipient_id, subject_key=key)
    sent = (
        items.filter(email__state=ReminderEmail.State.SENT, email__sent_at__lte=signature.signed_at)
        .select_related("email")
        .order_by("email__sent_at")
    )
    events = []
    for item in sent:
        if ":class:" in item.subject_key:
            detail = "Emailed to the class teacher, to take the class through the form"
        else:
            detail = f"Emailed to {signature.signer.email}: {item.text}"
        events.append(ChainEvent(item.email.sent_at, "Reminder sent", detail))
    return events
