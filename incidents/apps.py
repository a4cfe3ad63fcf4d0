from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "E-safety incidents"

    def ready(self):
        from . import desk, records, retention_kinds, selectors, subject_access  # noqa: F401
