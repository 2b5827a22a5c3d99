from django.apps import AppConfig


class NetworkingConfig(AppConfig):
    name = "networking"
    verbose_name = "Networking"

    def ready(self) -> None:
        # Lower layers ask networking through registries, never by importing it: who a
        # learner's words must not name (their contacts who have not consented), and the
        # records a "Networking record" item of evidence presents.
        from common.redaction import register_free_text, register_identity_source
        from networking.evidence import NetworkingRecords
        from networking.identities import hide_identities, withheld_contacts
        from portfolio.models import EvidenceKind
        from portfolio.sources import register_record_source

        register_identity_source(withheld_contacts, hide_entries=hide_identities)
        # What the networking records say in the learner's words.
        register_free_text(
            "how_met",
            "they_offer",
            "you_offer",
            "organisation_benefit",
            "next_action",
            "purpose",
            "outcome",
            "follow_up",
            "reflection",
            "future_actions",
            "comment",
            "subject",
            "group",
        )
        register_record_source(EvidenceKind.NETWORKING_RECORD, NetworkingRecords())
