from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from centre.access import centre_role_required
from centre.models import Role
from centre.selectors import assessors_of_centre
from common.previews import PreviewExpired, discard_preview, keep_preview, open_preview
from learners.access import access_enrolment, access_learner
from learners.forms import AllocationForm, InviteLearnersForm, RegisterConfirmForm, RegisterUploadForm
from learners.invitations import InvitationRefused, invite_learners
from learners.registration.imports import RegisterPreviewIsStale, import_register
from learners.registration.plans import RegistrationPlan, plan_registration
from learners.registration.register import RegisterError, read_register
from learners.selectors import (
    enrolments_for_assessor,
    invitation_state,
    learners_not_invited,
    learners_of_centre,
)
from learners.services import allocate_assessor, export_register

PREVIEW_KIND = "register"
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
    for learner in page.object_list:
        learner.invitation = invitation_state(learner=learner)
    return render(
        request,
        "learners/list.html",
        {
            "page": page,
            "search": search,
            "not_invited": learners_not_invited(centre=request.centre).count(),
        },
    )


@centre_role_required(Role.CENTRE_ADMIN)
@require_http_methods(["POST"])
def invite(request):
    """Invite one learner (again, if their link expired or was lost), or every learner not
    invited yet."""
    form = InviteLearnersForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a learner to invite.")
        return redirect("learners:list")
    if form.cleaned_data["learner"]:
        learners = [access_learner(request, form.cleaned_data["learner"])]
    else:
        learners = list(learners_not_invited(centre=request.centre).select_related("user"))
    try:
        invited = invite_learners(
            centre=request.centre,
            learners=learners,
            actor=request.user,
            again=bool(form.cleaned_data["learner"]),
        )
    except InvitationRefused as refused:
        messages.error(request, " ".join(refused.problems))
    else:
        if len(invited) == 1:
            learner = invited[0]
            name = f"{learner.first_name} {learner.last_name}"
            messages.success(request, f"{name} has been sent an invitation.")
        elif invited:
            messages.success(request, f"{len(invited)} learners have been sent an invitation.")
        else:
            messages.info(request, "Every learner has been invited already; nobody was sent one.")
    return redirect("learners:list")


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
        token = keep_preview(data=data, kind=PREVIEW_KIND, owner=request.centre.pk, filename=upload.name)
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
            raise PreviewExpired
        data, stored_name = open_preview(
            token=form.cleaned_data["upload"], kind=PREVIEW_KIND, owner=request.centre.pk
        )
    except PreviewExpired:
        messages.error(request, "That preview has expired or was altered. Upload the file again.")
        return redirect("learners:import")

    try:
        plan = import_register(
            centre=request.centre,
            register=read_register(data, filename=stored_name),
            actor=request.user,
            expected_fingerprint=form.cleaned_data["plan_fingerprint"],
            invite=form.cleaned_data["invite"],
        )
    except RegisterPreviewIsStale as stale:
        return _preview(request, stale.plan, form.cleaned_data["upload"], stale=True)
    except RegisterError as error:
        # The centre's learners changed since the preview in a way that breaks the file.
        return render(
            request, "learners/import.html", {"form": RegisterUploadForm(), "problems": error.problems}
        )
    discard_preview(name=stored_name)
    if plan.has_changes:
        message = "Imported: " + "; ".join(plan.summary()) + "."
        if invited := len(plan.invited):
            message += f" {invited} {'learner was' if invited == 1 else 'learners were'} sent an invitation."
        messages.success(request, message)
    else:
        messages.info(request, "Everything in the file was already up to date; nothing changed.")
    return redirect("learners:list")
