from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "E-safety incidents"

    def ready(self):
        from . import desk, records, selectors  # noqa: F401
