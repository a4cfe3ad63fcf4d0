"""The scale-out test's email backend: each message in a file of its own (written
whole, then renamed into the outbox), whichever process sends it, so the test can
count how many times each person was emailed."""

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class OneFilePerMessageBackend(BaseEmailBackend):
    def send_messages(self, messages):
        outbox = Path(settings.EMAIL_FILE_PATH)
        outbox.mkdir(parents=True, exist_ok=True)
        for message in messages:
            name = f"{uuid.uuid4().hex}-{os.getpid()}"
            partial = outbox / f".{name}.part"
            partial.write_bytes(message.message().as_bytes())
            partial.rename(outbox / f"{name}.eml")
        return len(messages)
