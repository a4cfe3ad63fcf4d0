from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = "Device loans"

    def ready(self):
        # Adds loans to pupils', staff and family records (core.records).
        from . import records  # noqa: F401
