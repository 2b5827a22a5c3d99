from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "External moderation"

    def ready(self) -> None:
        from moderation import receivers  # noqa: F401
