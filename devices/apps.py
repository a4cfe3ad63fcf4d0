from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = "Device loans"

    def ready(self):
        from . import desk, records, retention_kinds, subject_access  # noqa: F401
