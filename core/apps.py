from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals

        post_migrate.connect(signals.regrant_runtime_role, sender=self)

        # A configured PDF signing key that will not open stops every process here,
        # with a plain message (the web app and the worker also need a key to exist).
        from . import checks  # noqa: F401 (registers the system checks)
        from .signing_keys import check_configured_key

        check_configured_key()
