from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy: subject access, retention and erasure"

    def ready(self) -> None:
        # Each app's ``privacy`` module registers that app's provider; importing them all
        # here means no export or erasure can run with an app left out.
        autodiscover_modules("privacy")
