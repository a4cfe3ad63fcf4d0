import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("aup_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The filesystem broker (no REDIS_URL) needs its folders before the first message.
if app.conf.broker_url.startswith("filesystem"):
    for key in ("data_folder_in", "processed_folder", "control_folder"):
        folder = app.conf.broker_transport_options.get(key)
        if folder:
            os.makedirs(folder, exist_ok=True)


@worker_init.connect
def _refuse_to_start_without_a_signing_key(**kwargs):
    """The worker signs PDFs: in production it does not start without a signing key."""
    from core.signing_keys import check_at_startup

    check_at_startup()
