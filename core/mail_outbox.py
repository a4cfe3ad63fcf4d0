"""The development outbox: with DEBUG on and no EMAIL_URL, every email the web app or
the worker sends is stored as an .eml file under var/outbox/ and announced by one line
on the console; /dev/outbox/ (DEBUG only) shows them with their links and attachments.

Files rather than a table: no migration, and the web and worker processes (which both
send mail) share them. The console backend printed whole messages, base64 PDFs
included, in which a parent's sign-in code was lost."""

import email
import email.policy
import re
import sys
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

# A message's id is its file name without .eml: when it was stored, then a random part.
MESSAGE_ID = re.compile(r"\d{8}T\d{12}-[0-9a-f]{8}")


def outbox_dir() -> Path:
    return Path(settings.EMAIL_OUTBOX_DIR)


def message_url(message_id: str) -> str:
    return f"{settings.SITE_URL}/dev/outbox/{message_id}/"


class EmailBackend(BaseEmailBackend):
    """Stores each message in the outbox and prints one line about it."""

    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages):
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        with self._lock:
            for message in email_messages:
                if not message.recipients():
                    continue
                message_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
                # Written under a temporary name, then renamed: the page never reads half a file.
                partial = folder / f".{message_id}.partial"
                partial.write_bytes(message.message().as_bytes(linesep="\n"))
                partial.replace(folder / f"{message_id}.eml")
                to = ", ".join(message.to or message.recipients())
                self.stream.write(f'Email to {to}: "{message.subject}" - read it at {message_url(message_id)}\n')
                self.stream.flush()
                sent += 1
        return sent


# --- reading the outbox back (the /dev/outbox/ pages) -----------------------------------


@dataclass
class Attachment:
    number: int
    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class StoredMessage:
    id: str
    sent_at: datetime
    sender: str
    to: str
    subject: str
    text: str
    has_html: bool
    attachments: list[Attachment]


def message_ids() -> list[str]:
    """Every stored message's id, newest first."""
    folder = outbox_dir()
    if not folder.is_dir():
        return []
    ids = [path.stem for path in folder.glob("*.eml") if MESSAGE_ID.fullmatch(path.stem)]
    return sorted(ids, reverse=True)


def read_message(message_id: str) -> StoredMessage | None:
    """The stored message with this id, or None (also for anything that is not an id)."""
    if not MESSAGE_ID.fullmatch(message_id):
        return None
    path = outbox_dir() / f"{message_id}.eml"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    text_part = parsed.get_body(preferencelist=("plain",))
    attachments = [
        Attachment(
            number=number,
            filename=part.get_filename() or f"attachment-{number}",
            content_type=part.get_content_type(),
            content=part.get_payload(decode=True) or b"",
        )
        for number, part in enumerate(parsed.iter_attachments(), start=1)
    ]
    return StoredMessage(
        id=message_id,
        sent_at=datetime.strptime(message_id.split("-")[0], "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC),
        sender=str(parsed["From"] or ""),
        to=str(parsed["To"] or ""),
        subject=str(parsed["Subject"] or ""),
        text=text_part.get_content() if text_part is not None else "",
        has_html=parsed.get_body(preferencelist=("html",)) is not None,
        attachments=attachments,
    )
