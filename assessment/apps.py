from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Assessment"

    def ready(self) -> None:
        from assessment import receivers  # noqa: F401  (answers the portfolio's questions)
