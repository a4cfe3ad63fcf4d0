from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Signed agreements"

    def ready(self):
        from . import desk, records, retention_kinds, subject_access  # noqa: F401
