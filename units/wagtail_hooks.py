from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy

from .models import UnitPage
from .views import UnitImportView


@hooks.register("register_admin_urls")
def register_unit_import_url():
    return [path("units/import/", UnitImportView.as_view(), name="units_import")]


class UnitImportMenuItem(MenuItem):
    def is_shown(self, request):
        return ModelPermissionPolicy(UnitPage).user_has_permission(request.user, "import")


@hooks.register("register_admin_menu_item")
def register_unit_import_menu_item():
    return UnitImportMenuItem("Import a unit", reverse("units_import"), icon_name="upload", order=250)
