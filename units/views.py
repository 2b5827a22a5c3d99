from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permission_policies import ModelPermissionPolicy

from units.forms import UnitImportConfirmForm, UnitImportForm
from units.models import UnitPage
from units.parsing import parse_unit_file
from units.selectors import UnitImportPlan, catalogue_index, plan_unit_import
from units.services import UnitPreviewIsStale, import_unit
from units.spec import UnitSpecError, spec_from_json, spec_to_json

SIGNING_SALT = "units.import.preview"
PREVIEW_LIFETIME_SECONDS = 60 * 60


class UnitImportView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Upload a unit file, see what importing it would create or change, then confirm.

    The preview carries the parsed unit signed, so the confirmation applies exactly what
    was shown; if the unit changed in between, the new changes are shown instead.
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
        if "confirm" in request.POST:
            return self.confirm(request)
        form = UnitImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                spec = parse_unit_file(form.cleaned_data["file"].read())
            except UnitSpecError as error:
                for problem in error.problems:
                    form.add_error("file", str(problem))
            else:
                return self.preview(plan_unit_import(spec=spec))
        return self.render_to_response(self.get_context_data(form=form))

    def preview(self, plan: UnitImportPlan, *, stale: bool = False):
        confirm_form = UnitImportConfirmForm(
            initial={
                "unit": signing.dumps(spec_to_json(plan.spec), salt=SIGNING_SALT, compress=True),
                "plan_fingerprint": plan.fingerprint,
            }
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
        form = UnitImportConfirmForm(request.POST)
        try:
            if not form.is_valid():
                raise signing.BadSignature
            spec = spec_from_json(
                signing.loads(form.cleaned_data["unit"], salt=SIGNING_SALT, max_age=PREVIEW_LIFETIME_SECONDS)
            )
        except (signing.BadSignature, UnitSpecError):
            messages.error(request, "That preview has expired or was altered. Upload the file again.")
            return redirect("units_import")

        if not self.may_publish(plan_unit_import(spec=spec)):
            raise PermissionDenied
        try:
            plan = import_unit(
                spec=spec, actor=request.user, expected_fingerprint=form.cleaned_data["plan_fingerprint"]
            )
        except UnitPreviewIsStale as stale:
            return self.preview(stale.plan, stale=True)
        except UnitSpecError as error:
            for problem in error.problems:
                messages.error(request, str(problem))
            return self.preview(plan_unit_import(spec=spec))

        unit = UnitPage.objects.get(urn=spec.urn)
        if plan.is_new:
            messages.success(request, f"Imported {spec.urn} “{spec.title}”.")
        elif plan.changes:
            messages.success(
                request, f"Updated {spec.urn} “{spec.title}”: {len(plan.changes)} changes published."
            )
        else:
            messages.info(request, f"{spec.urn} “{spec.title}” was already up to date; nothing changed.")
        return redirect(reverse("wagtailadmin_pages:edit", args=[unit.pk]))
