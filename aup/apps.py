from django.apps import AppConfig


class AupConfig(AppConfig):
    name = "aup"
    verbose_name = "Policies"

    def ready(self):
        from . import receivers, records  # noqa: F401
