from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "E-safety incidents"

    def ready(self):
        # Registers who may read the audit log's lines about an incident.
        from . import desk, selectors  # noqa: F401
