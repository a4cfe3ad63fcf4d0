"""An email backend for the killed-worker test, used by the worker subprocesses.

It writes each message to the outbox folder (as the file backend does) and appends
its recipient to sent.log: the mail server has taken it. Then, while the file `hold`
exists in the folder, it waits, as a worker would that is stuck after the server
answered but before it recorded the email as sent: the test kills it there."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


def _folder() -> Path:
    return Path(os.environ["REMINDER_TEST_DIR"])


class TakenThenStuckBackend(EmailBackend):
    def send_messages(self, messages):
        sent = super().send_messages(messages)
        folder = _folder()
        with open(folder / "sent.log", "a") as log:
            for message in messages:
                log.write(f"{message.to[0]}\n")
        (folder / f"taken-{os.getpid()}").touch()
        deadline = time.monotonic() + 120
        while (folder / "hold").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return sent
