from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from .models import UnitGuidance
from .permissions import CentreAdminPolicy


class GuidanceCreateView(CreateView):
    def get_initial_form_instance(self):
        return UnitGuidance(centre=self.request.centre)


class UnitGuidanceViewSet(SnippetViewSet):
    """Centre admins' guidance on their units. Every view reads through the model's
    centre-scoped manager, so each shows only the request's centre."""

    model = UnitGuidance
    icon = "help"
    menu_label = "Unit guidance"
    add_to_admin_menu = True
    add_view_class = GuidanceCreateView
    copy_view_enabled = False
    list_display = ["unit", "updated_at"]


register_permission_policy(UnitGuidance, CentreAdminPolicy(UnitGuidance))
register_snippet(UnitGuidanceViewSet)
