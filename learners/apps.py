from django.apps import AppConfig


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = "Learners and evidence"

    def ready(self):
        from . import receivers  # noqa: F401
