from django.apps import AppConfig


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = "Learners and enrolments"

    def ready(self):
        from learners import receivers  # noqa: F401
