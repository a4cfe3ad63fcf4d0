from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "E-safety incidents"

    def ready(self):
        # selectors registers who may read the audit log's lines about an incident;
        # records adds the incidents to pupils' and staff records (core.records).
        from . import records, selectors  # noqa: F401
