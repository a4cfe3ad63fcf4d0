from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Retention schedule"

    def ready(self):
        from . import desk  # noqa: F401
