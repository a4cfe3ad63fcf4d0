from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "Schools"

    def ready(self):
        from . import desk, receivers, records, retention_kinds, subject_access  # noqa: F401
