from django.apps import AppConfig


class AupConfig(AppConfig):
    name = "aup"
    verbose_name = "Policies"
