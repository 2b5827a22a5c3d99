from django.apps import AppConfig


class NetworkingConfig(AppConfig):
    name = "networking"
    verbose_name = "Networking"

    def ready(self) -> None:
        # Lower layers ask networking through registries, never by importing it: who a
        # learner's words must not name (their contacts who have not consented).
        from common.redaction import register_identity_source
        from networking.identities import hide_identities, withheld_contacts

        register_identity_source(withheld_contacts, hide_entries=hide_identities)
