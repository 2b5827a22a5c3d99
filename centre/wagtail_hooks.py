from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from .models import NetworkingPrompt, UnitGuidance
from .permissions import CentreAdminPolicy
from .receivers import index_references_in_scope


class CentreOwnedCreateView(CreateView):
    """A new snippet belongs to the centre the admin is working in."""

    def get_initial_form_instance(self):
        return self.model(centre=self.request.centre)


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


class NetworkingPromptViewSet(SnippetViewSet):
    """The centre's prompt for learners' networking guidelines, read through the scoped
    manager like unit guidance."""

    model = NetworkingPrompt
    icon = "comment"
    menu_label = "Networking prompt"
    add_to_admin_menu = True
    add_view_class = CentreOwnedCreateView
    copy_view_enabled = False
    list_display = ["__str__", "updated_at"]


for model in (UnitGuidance, NetworkingPrompt):
    register_permission_policy(model, CentreAdminPolicy(model))
index_references_in_scope(UnitGuidance, NetworkingPrompt)
register_snippet(UnitGuidanceViewSet)
register_snippet(NetworkingPromptViewSet)
