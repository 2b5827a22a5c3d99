from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy

from units.models import QualificationPage, UnitPage
from units.selectors import qualifications_naming
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
    """A unit is its reference number, and a qualification its number, which no copy can share."""
    specific = page.specific
    if isinstance(specific, UnitPage | QualificationPage):
        what = "unit reference number" if isinstance(specific, UnitPage) else "qualification number"
        messages.error(
            request,
            f"{page.title} cannot be copied: its {what} belongs to it alone. Import the other one's "
            "specification instead.",
        )
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


@hooks.register("before_delete_page")
def refuse_to_delete_a_unit_a_qualification_names(request, page):
    """A qualification's rules name its units: one of them cannot leave the catalogue."""
    specific = page.specific
    if isinstance(specific, UnitPage) and (naming := qualifications_naming(urn=specific.urn)):
        messages.error(
            request,
            f"{page.title} cannot be deleted: the rules of combination of "
            f"{', '.join(q.number for q in naming)} name it. Take it out of them first.",
        )
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None
