from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import retention_kinds, signals  # noqa: F401

        post_migrate.connect(signals.regrant_runtime_role, sender=self)
