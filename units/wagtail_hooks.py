from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy

from units.models import UnitPage
from units.views import UnitImportView


@hooks.register("register_admin_urls")
def register_unit_import_url():
    return [path("units/import/", UnitImportView.as_view(), name="units_import")]


class UnitImportMenuItem(MenuItem):
    def is_shown(self, request):
        return ModelPermissionPolicy(UnitPage).user_has_permission(request.user, "import")


@hooks.register("register_admin_menu_item")
def register_unit_import_menu_item():
    return UnitImportMenuItem("Import a unit", reverse("units_import"), icon_name="upload", order=250)


@hooks.register("before_copy_page")
def refuse_to_copy_a_unit(request, page):
    """A unit is its reference number, which no copy can share."""
    if isinstance(page.specific, UnitPage):
        messages.error(
            request,
            f"{page.title} cannot be copied: its unit reference number belongs to it alone. "
            "Import the other unit's specification instead.",
        )
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None
