from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permission_policies import ModelPermissionPolicy

from units.forms import UNIT_PREVIEWS, UnitImportConfirmForm, UnitImportForm
from units.models import UnitPage
from units.selectors import UnitImportPlan, catalogue_index, plan_unit_import, unit_by_urn
from units.services import UnitPreviewIsStale, import_unit
from units.spec import UnitSpecError


class UnitImportView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Upload a unit file, see what importing it would create or change, then confirm.

    The uploaded file is kept (``common.previews``) for the person who previewed it, so
    the confirmation applies exactly what was shown; if the unit changed in between, the
    new changes are shown instead.
    """

    permission_policy = ModelPermissionPolicy(UnitPage)
    permission_required = "import"
    template_name = "units/admin/import.html"
    page_title = "Import a unit"
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=UnitImportForm()))

    def post(self, request, *args, **kwargs):
        if UnitImportConfirmForm.submitted(request):
            return self.confirm(request)
        form = UnitImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        token = UNIT_PREVIEWS.keep(
            data=form.cleaned_data["content"], owner=request.user.pk, filename=form.cleaned_data["file"].name
        )
        return self.preview(plan_unit_import(spec=form.cleaned_data["spec"]), token)

    def preview(self, plan: UnitImportPlan, token: str, *, stale: bool = False):
        confirm_form = UnitImportConfirmForm.for_plan(
            token=token, fingerprint=plan.fingerprint, owner=self.request.user.pk
        )
        return self.render_to_response(
            self.get_context_data(
                plan=plan, confirm_form=confirm_form, stale=stale, may_publish=self.may_publish(plan)
            )
        )

    def may_publish(self, plan: UnitImportPlan) -> bool:
        """Importing publishes, so confirming needs the editor's right to publish the unit
        (or, for a new one, to publish pages in the catalogue)."""
        if plan.is_new:
            return catalogue_index().permissions_for_user(self.request.user).can_publish_subpage()
        return plan.unit.permissions_for_user(self.request.user).can_publish()

    def confirm(self, request):
        form = UnitImportConfirmForm(request.POST, owner=request.user.pk)
        if not form.is_valid():
            messages.error(request, form.EXPIRED)
            return redirect("units_import")
        spec, token = form.cleaned_data["spec"], form.cleaned_data["upload"]
        if not self.may_publish(plan_unit_import(spec=spec)):
            raise PermissionDenied
        try:
            plan = import_unit(
                spec=spec, actor=request.user, expected_fingerprint=form.cleaned_data["plan_fingerprint"]
            )
        except UnitPreviewIsStale as stale:
            return self.preview(stale.plan, token, stale=True)
        except UnitSpecError as error:
            for message in error.messages:
                messages.error(request, message)
            return self.preview(plan_unit_import(spec=spec), token)

        UNIT_PREVIEWS.discard(form.kept)
        unit = unit_by_urn(urn=spec.urn)
        if plan.is_new:
            messages.success(request, f"Imported {spec.urn} “{spec.title}”.")
        elif plan.changes:
            messages.success(
                request, f"Updated {spec.urn} “{spec.title}”: {len(plan.changes)} changes published."
            )
        else:
            messages.info(request, f"{spec.urn} “{spec.title}” was already up to date; nothing changed.")
        return redirect(reverse("wagtailadmin_pages:edit", args=[unit.pk]))
