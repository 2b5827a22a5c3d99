from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = "Unit catalogue"

    def ready(self) -> None:
        from units import receivers  # noqa: F401  (tells the audit trail how to name a unit)
