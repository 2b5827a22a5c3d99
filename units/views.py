from django.contrib import messages
from django.core import signing
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permission_policies import ModelPermissionPolicy

from .forms import UnitImportConfirmForm, UnitImportForm
from .models import UnitPage
from .parsing import parse_unit_file
from .selectors import UnitImportPlan, plan_unit_import
from .services import import_unit
from .spec import UnitSpecError, spec_from_json, spec_to_json

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
            self.get_context_data(plan=plan, confirm_form=confirm_form, stale=stale)
        )

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

        plan = plan_unit_import(spec=spec)
        if plan.fingerprint != form.cleaned_data["plan_fingerprint"]:
            return self.preview(plan, stale=True)
        try:
            import_unit(spec=spec, actor=request.user)
        except UnitSpecError as error:
            for problem in error.problems:
                messages.error(request, str(problem))
            return self.preview(plan)

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
