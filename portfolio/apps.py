from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = "Portfolio"

    def ready(self) -> None:
        from django import forms

        from common.redaction import register_free_text
        from portfolio.kinds import KINDS

        # The learner's own words in an item, its files and its versions' snapshots: its
        # title and text, each criterion's note, file names (also as kept in an archive),
        # and what each kind records in words beyond them (a witness's name, a setting).
        register_free_text("title", "body", "note", "name", "in_this_archive")
        register_free_text(
            *(
                key
                for spec in KINDS.values()
                for key, make_field in spec.detail_fields.items()
                if isinstance(make_field(), forms.CharField)
            )
        )
