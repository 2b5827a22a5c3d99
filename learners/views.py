import uuid
from pathlib import PurePath

from django.contrib import messages
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from centre.access import centre_role_required
from centre.models import Role
from centre.selectors import assessors_of_centre

from .access import access_enrolment
from .forms import AllocationForm, RegisterConfirmForm, RegisterUploadForm
from .registration import RegisterError, read_register
from .registration_services import (
    RegisterPreviewIsStale,
    RegistrationPlan,
    import_register,
    plan_registration,
)
from .selectors import enrolments_for_assessor, learners_of_centre
from .services import allocate_assessor, export_register

UPLOAD_SALT = "learners.register-upload"
PREVIEW_LIFETIME_SECONDS = 60 * 60
LEARNERS_PER_PAGE = 50
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@centre_role_required(Role.CENTRE_ADMIN)
def learner_list(request):
    search = request.GET.get("q", "")
    page = Paginator(learners_of_centre(centre=request.centre, search=search), LEARNERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "learners/list.html", {"page": page, "search": search})


@centre_role_required(Role.CENTRE_ADMIN)
@require_http_methods(["GET", "POST"])
def allocate(request, pk: int):
    enrolment = access_enrolment(request, pk)
    form = AllocationForm(
        request.POST or None,
        assessors=assessors_of_centre(centre=request.centre),
        initial={"assessor": enrolment.assessor},
    )
    if request.method == "POST" and form.is_valid():
        assessor = form.cleaned_data["assessor"]
        allocate_assessor(enrolment=enrolment, assessor=assessor, actor=request.user)
        learner = f"{enrolment.learner.first_name} {enrolment.learner.last_name}"
        if assessor is None:
            messages.success(request, f"{learner} has no assessor for {enrolment.unit.title} now.")
        else:
            name = assessor.get_full_name() or assessor.email
            messages.success(request, f"{learner}'s assessor for {enrolment.unit.title} is now {name}.")
        return redirect("learners:list")
    return render(request, "learners/allocate.html", {"enrolment": enrolment, "form": form})


@centre_role_required(Role.CENTRE_ADMIN)
def export_learners(request):
    format = request.GET.get("format", "csv")
    if format not in EXPORT_TYPES:
        raise Http404("Learners are exported as csv or xlsx.")
    content, _ = export_register(centre=request.centre, format=format, actor=request.user)
    response = HttpResponse(content, content_type=EXPORT_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="learners-{request.centre.number}.{format}"'
    response["Cache-Control"] = "no-store"
    return response


@centre_role_required(Role.ASSESSOR)
def allocated_learners(request):
    enrolments = enrolments_for_assessor(centre=request.centre, assessor=request.user)
    return render(request, "learners/allocated.html", {"enrolments": enrolments})


@centre_role_required(Role.CENTRE_ADMIN)
@require_http_methods(["GET", "POST"])
def import_learners(request):
    """Upload the centre's register, see every problem or every change, then confirm.

    The uploaded file is kept (privately, under a random name) between the preview and
    the confirmation, which applies it only if the changes are still the ones shown.
    """
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm_import(request)
    form = RegisterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            register = read_register(data, filename=upload.name)
            plan = plan_registration(centre=request.centre, register=register)
        except RegisterError as error:
            return render(request, "learners/import.html", {"form": form, "problems": error.problems})
        stored = default_storage.save(
            f"register-imports/{uuid.uuid4().hex}{PurePath(upload.name).suffix.lower()}", ContentFile(data)
        )
        token = signing.dumps({"name": stored, "centre": request.centre.pk}, salt=UPLOAD_SALT)
        return _preview(
            request, plan, token, notes=[register.encoding_note] if register.encoding_note else []
        )
    return render(request, "learners/import.html", {"form": form})


def _preview(request, plan: RegistrationPlan, token: str, *, notes=(), stale=False):
    confirm = RegisterConfirmForm(initial={"upload": token, "plan_fingerprint": plan.fingerprint})
    return render(
        request,
        "learners/import_preview.html",
        {"plan": plan, "confirm": confirm, "notes": notes, "stale": stale},
    )


def _confirm_import(request):
    form = RegisterConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        upload = signing.loads(
            form.cleaned_data["upload"], salt=UPLOAD_SALT, max_age=PREVIEW_LIFETIME_SECONDS
        )
        if upload["centre"] != request.centre.pk or not default_storage.exists(upload["name"]):
            raise signing.BadSignature
    except signing.BadSignature:
        messages.error(request, "That preview has expired or was altered. Upload the file again.")
        return redirect("learners:import")

    with default_storage.open(upload["name"], "rb") as stored:
        data = stored.read()
    try:
        plan = import_register(
            centre=request.centre,
            register=read_register(data, filename=upload["name"]),
            actor=request.user,
            expected_fingerprint=form.cleaned_data["plan_fingerprint"],
        )
    except RegisterPreviewIsStale as stale:
        return _preview(request, stale.plan, form.cleaned_data["upload"], stale=True)
    except RegisterError as error:
        # The centre's learners changed since the preview in a way that breaks the file.
        return render(
            request, "learners/import.html", {"form": RegisterUploadForm(), "problems": error.problems}
        )
    default_storage.delete(upload["name"])
    if plan.has_changes:
        messages.success(request, "Imported: " + "; ".join(plan.summary()) + ".")
    else:
        messages.info(request, "Everything in the file was already up to date; nothing changed.")
    return redirect("learners:list")
