"""Settings of the web and worker processes the scale-out test starts: production's
(config.settings), read from the environment the test gives them (the test database
as the runtime role, Redis, the S3 bucket), with only what a test on plain HTTP
without `collectstatic` needs changed."""

import os

from django.conf import global_settings

from config.settings import *  # noqa: F403
from config.settings import CACHES, STATIC_ROOT, STORAGES

# No `collectstatic` in a test: templates name static files as they are.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
os.makedirs(STATIC_ROOT, exist_ok=True)
# Plain HTTP on 127.0.0.1: in a deployment TLS ends at the proxy, which the test has not.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
# The test made its people with the suite's fast password hasher.
PASSWORD_HASHERS = [*global_settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]
# Every message a file of its own, so the test can count them across processes.
EMAIL_BACKEND = "tests.deploy.email_backend.OneFilePerMessageBackend"
EMAIL_FILE_PATH = os.environ["SCALE_OUT_OUTBOX"]
# A queue and cache keys of their own: other tests' workers share the Redis server.
CELERY_TASK_DEFAULT_QUEUE = os.environ["SCALE_OUT_QUEUE"]
CACHES["default"]["KEY_PREFIX"] = os.environ["SCALE_OUT_QUEUE"]
CELERY_BEAT_SCHEDULE_FILENAME = os.path.join(os.path.dirname(os.environ["SCALE_OUT_OUTBOX"]), "celerybeat-schedule")
# The beat's two reminder tasks every few seconds instead of every few minutes, so
# that it runs them several times while the test watches.
_every = float(os.environ.get("SCALE_OUT_BEAT_SECONDS", "2"))
CELERY_BEAT_SCHEDULE = {
    "run-reminder-sweeps": {"task": "reminders.tasks.run_reminder_sweeps", "schedule": _every},
    "send-due-reminder-emails": {"task": "reminders.tasks.send_due_reminder_emails", "schedule": _every},
}
# The web app and the worker sign PDFs with one key: the self-managed one, made by
# whichever starts first, in the test's own folder (production needs one made beforehand).
PDF_SIGNING_DIR = os.path.join(os.path.dirname(os.environ["SCALE_OUT_OUTBOX"]), "signing")
PDF_SIGNING_GENERATE = True
