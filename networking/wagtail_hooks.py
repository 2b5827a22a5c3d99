from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from centre.permissions import CentreAdminPolicy
from centre.receivers import index_references_in_scope
from centre.snippets import CentreOwnedCreateView
from networking.models import NetworkingPrompt


class NetworkingPromptViewSet(SnippetViewSet):
    """The centre's prompt for learners' networking guidelines, read through the scoped
    manager like the centre's unit guidance."""

    model = NetworkingPrompt
    icon = "comment"
    menu_label = "Networking prompt"
    add_to_admin_menu = True
    add_view_class = CentreOwnedCreateView
    copy_view_enabled = False
    list_display = ["__str__", "updated_at"]


register_permission_policy(NetworkingPrompt, CentreAdminPolicy(NetworkingPrompt))
index_references_in_scope(NetworkingPrompt)
register_snippet(NetworkingPromptViewSet)
