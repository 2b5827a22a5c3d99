from django.apps import AppConfig


class IqaConfig(AppConfig):
    name = "iqa"
    verbose_name = "Internal quality assurance"

    def ready(self) -> None:
        from iqa import receivers  # noqa: F401  (adds the IQA's panel to the assessment page)
