"""Settings of the worker subprocesses the killed-worker test starts: the test's own
database and queue, and an email backend that can be made to stall mid-send."""

import json
import os

from config.settings_test import *  # noqa: F403

DATABASES = {"default": json.loads(os.environ["REMINDER_TEST_DATABASE"])}
EMAIL_BACKEND = "tests.reminders.worker_backend.TakenThenStuckBackend"
EMAIL_FILE_PATH = os.path.join(os.environ["REMINDER_TEST_DIR"], "outbox")
CELERY_TASK_ALWAYS_EAGER = False
# A queue of its own, so that no other test's worker takes these tasks (or these
# workers theirs).
CELERY_TASK_DEFAULT_QUEUE = os.environ["REMINDER_TEST_QUEUE"]
