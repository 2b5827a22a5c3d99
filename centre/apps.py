from django.apps import AppConfig


class CentreConfig(AppConfig):
    name = "centre"
    verbose_name = "Centres"

    def ready(self) -> None:
        # The scoping system check; what centre tells accounts and the audit trail.
        from centre import checks, receivers  # noqa: F401
