from django.contrib import messages
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from centre.models import OfferedQualification, OfferedUnit, UnitGuidance
from centre.permissions import CentreAdminPolicy
from centre.receivers import index_references_in_scope
from centre.snippets import CentreOwnedCreateView
from common.scoping import scopes_disabled
from units.models import QualificationPage, UnitPage


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


@hooks.register("before_delete_page")
def refuse_to_delete_what_centres_offer(request, page):
    """A unit or qualification a centre offers holds its learners' work and registrations:
    it cannot leave the catalogue while any centre offers it (the database would refuse too,
    with an error instead of a reason)."""
    specific = page.specific
    with scopes_disabled():  # every centre's offers, counted, none shown
        if isinstance(specific, UnitPage):
            centres = OfferedUnit.objects.filter(unit=specific).count()
        elif isinstance(specific, QualificationPage):
            centres = OfferedQualification.objects.filter(qualification=specific).count()
        else:
            return None
    if centres:
        messages.error(
            request,
            f"{page.title} cannot be deleted: {centres} centre{'s' if centres != 1 else ''} offer"
            f"{'' if centres != 1 else 's'} it. Unpublish it to take it off the public catalogue.",
        )
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None
