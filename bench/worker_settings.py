"""Settings of the `celery worker` that bench/worker_memory.py starts: the bench's own
database, queue and folder for the PDFs, emails dropped (the dummy backend: locmem
would keep every PDF attached in memory and hide what WeasyPrint holds), and the
child recycling of config/settings.py unless BENCH_WORKER_RECYCLE=off."""

import json
import os

from config.settings_test import *  # noqa: F403

DATABASES = {"default": json.loads(os.environ["BENCH_WORKER_DATABASE"])}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ["BENCH_WORKER_QUEUE"]
PRIVATE_MEDIA_ROOT = os.environ["BENCH_WORKER_MEDIA"]
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
if os.environ.get("BENCH_WORKER_RECYCLE") == "off":
    CELERY_WORKER_MAX_TASKS_PER_CHILD = None
    CELERY_WORKER_MAX_MEMORY_PER_CHILD = None
