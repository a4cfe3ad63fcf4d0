from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Photo and media consent"

    def ready(self):
        from . import audit_access, desk, records, retention_kinds, subject_access  # noqa: F401
