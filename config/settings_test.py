"""Settings for the test suite: the same as production's, with a test secret key,
fast password hashing, and tasks run in-process unless a test starts a real worker."""

import os
import tempfile
from datetime import timedelta

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from .settings import *  # noqa: E402, F403
from .settings import REDIS_URL  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Rate limits count in the cache; a per-process cache is cleared between tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
CELERY_TASK_ALWAYS_EAGER = True
# A connection per request, as Django's own tests expect: the suite's threads and real
# workers must not keep the test database open past a test. Production keeps them
# (config/settings.py); tests/core/test_settings.py checks that default.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Longer than any test takes: the idle clock and "your sessions" are then saved on the
# first request after sign-in and never in the middle of a query-count test. Tests of
# the clock itself move time past it (tests/accounts/test_sessions.py).
SESSION_ACTIVITY_RESOLUTION = timedelta(minutes=5)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "http://testserver"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "core.storage.PrivateStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TEST_REDIS_URL = REDIS_URL
# Under pytest-xdist each worker process has its own test database; the tests that run
# a real Celery worker get their own broker keys too (queues, unacked messages), or one
# process's worker would take another's task, which names rows in another database.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and XDIST_WORKER:
    CELERY_BROKER_TRANSPORT_OPTIONS = {  # noqa: F405
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "global_keyprefix": f"aup-test-{XDIST_WORKER}:",
    }
# tests/management/commands/flush.py: empties tables as the owner while the suite runs
# as the runtime database role (tests/db_roles.py).
INSTALLED_APPS = [*INSTALLED_APPS, "tests"]  # noqa: F405
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405
# A signing key per test process, made on first use in a folder of its own (EC P-256:
# a few milliseconds), never the developer's var/signing/.
PDF_SIGNING_P12 = ""
PDF_SIGNING_DIR = tempfile.mkdtemp(prefix="aup-test-signing-")
PDF_SIGNING_GENERATE = True
PDF_TSA_URL = ""
