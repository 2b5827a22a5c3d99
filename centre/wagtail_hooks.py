from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from centre.models import UnitGuidance
from centre.permissions import CentreAdminPolicy
from centre.receivers import index_references_in_scope
from centre.snippets import CentreOwnedCreateView


class UnitGuidanceViewSet(SnippetViewSet):
    """Centre admins' guidance on their units. Every view reads through the model's
    centre-scoped manager, so each shows only the request's centre."""

    model = UnitGuidance
    icon = "help"
    menu_label = "Unit guidance"
    add_to_admin_menu = True
    add_view_class = CentreOwnedCreateView
    copy_view_enabled = False
    list_display = ["unit", "updated_at"]


register_permission_policy(UnitGuidance, CentreAdminPolicy(UnitGuidance))
index_references_in_scope(UnitGuidance)
register_snippet(UnitGuidanceViewSet)
