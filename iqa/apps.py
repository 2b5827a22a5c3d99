from django.apps import AppConfig


class IqaConfig(AppConfig):
    name = "iqa"
    verbose_name = "Internal quality assurance"
