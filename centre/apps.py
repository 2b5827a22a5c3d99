from django.apps import AppConfig


class CentreConfig(AppConfig):
    name = "centre"
    verbose_name = "Centres"

    def ready(self) -> None:
        from centre import checks  # noqa: F401  (registers the scoping system check)
