from django.apps import AppConfig


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = "Reminders"

    def ready(self):
        # Every area's sweeps and done checks register themselves on import (the end of
        # sweeps.py imports them all): a worker that only sends emails needs the checks.
        from . import signing_events, sweeps  # noqa: F401
