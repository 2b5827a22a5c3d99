"""``manage.py rebuild_references_index``: Wagtail's command, able to read centre-owned
snippets. Wagtail reads every indexed model through its manager, which for a centre's own
rows refuses any query outside a centre's scope; rebuilding the index for the whole site
is an operator's command over every centre, so it runs with scopes disabled."""

from wagtail.management.commands import rebuild_references_index

from common.scoping import scopes_disabled


class Command(rebuild_references_index.Command):
    def handle(self, **options):
        with scopes_disabled():
            return super().handle(**options)
