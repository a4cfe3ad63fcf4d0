from django.apps import AppConfig


class AupConfig(AppConfig):
    name = "aup"
    verbose_name = "Policies"

    def ready(self):
        from . import desk, receivers, records, retention_kinds  # noqa: F401
