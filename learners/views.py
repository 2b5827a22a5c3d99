from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from centre.access import centre_role_required
from centre.models import Role
from centre.selectors import assessors_of_centre
from common.forms import run_form
from learners.access import access_enrolment, access_learner
from learners.forms import (
    EXPORT_TYPES,
    REGISTER_PREVIEWS,
    AllocationForm,
    ExportForm,
    InviteLearnersForm,
    LearnerFilter,
    RegisterConfirmForm,
    RegisterUploadForm,
)
from learners.invitations import invite_learners
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

LEARNERS_PER_PAGE = 50


@centre_role_required(Role.CENTRE_ADMIN)
def learner_list(request):
    found = LearnerFilter(request.GET, queryset=learners_of_centre(centre=request.centre))
    page = Paginator(found.qs, LEARNERS_PER_PAGE).get_page(found.page_number)
    for learner in page.object_list:
        learner.invitation = invitation_state(learner=learner)
    return render(
        request,
        "learners/list.html",
        {
            "page": page,
            "search": found.search_text,
            "not_invited": learners_not_invited(centre=request.centre).count(),
        },
    )


@centre_role_required(Role.CENTRE_ADMIN)
@require_http_methods(["POST"])
def invite(request):
    """Invite one learner (again, if their link expired or was lost), or every learner not
    invited yet."""
    form = InviteLearnersForm(request.POST)

    def invite_them(data):
        if data["learner"]:
            learners = [access_learner(request, data["learner"])]
        else:
            learners = list(learners_not_invited(centre=request.centre))
        return invite_learners(
            centre=request.centre, learners=learners, actor=request.user, again=bool(data["learner"])
        )

    if not run_form(form, invite_them):
        messages.error(request, " ".join(form.non_field_errors()) or "Choose a learner to invite.")
    elif len(invited := form.outcome) == 1:
        learner = invited[0]
        messages.success(request, f"{learner.first_name} {learner.last_name} has been sent an invitation.")
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
        request.POST if request.method == "POST" else None,
        assessors=assessors_of_centre(centre=request.centre),
        initial={"assessor": enrolment.assessor},
    )

    def allocate_them(data):
        allocate_assessor(enrolment=enrolment, assessor=data["assessor"], actor=request.user)

    if form.is_bound and run_form(form, allocate_them):
        assessor = form.cleaned_data["assessor"]
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
    form = ExportForm(request.GET)
    if not form.is_valid():
        raise Http404("Learners are exported as csv or xlsx.")
    format = form.cleaned_data["format"]
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
    the confirmation, which applies it only if the changes are still the ones shown
    (``common.previews``).
    """
    if RegisterConfirmForm.submitted(request):
        return _confirm_import(request)
    form = RegisterUploadForm(request.POST or None, request.FILES or None)
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "learners/import.html", {"form": form})
    upload = form.cleaned_data["file"]
    content = upload.read()
    try:
        register = read_register(content, filename=upload.name)
        plan = plan_registration(centre=request.centre, register=register)
    except RegisterError as error:  # its problems are listed row by row, not as the form's
        return render(request, "learners/import.html", {"form": form, "problems": error.problems})
    token = REGISTER_PREVIEWS.keep(data=content, owner=request.centre.pk, filename=upload.name)
    return _preview(request, plan, token, notes=[register.encoding_note] if register.encoding_note else [])


def _preview(request, plan: RegistrationPlan, token: str, *, notes=(), stale=False):
    confirm = RegisterConfirmForm.for_plan(token=token, fingerprint=plan.fingerprint, owner=request.centre.pk)
    return render(
        request,
        "learners/import_preview.html",
        {"plan": plan, "confirm": confirm, "notes": notes, "stale": stale},
    )


def _confirm_import(request):
    form = RegisterConfirmForm(request.POST, owner=request.centre.pk)
    if not form.is_valid():
        messages.error(request, form.EXPIRED)
        return redirect("learners:import")
    try:
        plan = import_register(
            centre=request.centre,
            register=read_register(form.kept.data, filename=form.kept.name),
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
    REGISTER_PREVIEWS.discard(form.kept)
    if plan.has_changes:
        message = "Imported: " + "; ".join(plan.summary()) + "."
        if invited := len(plan.invited):
            message += f" {invited} {'learner was' if invited == 1 else 'learners were'} sent an invitation."
        messages.success(request, message)
    else:
        messages.info(request, "Everything in the file was already up to date; nothing changed.")
    return redirect("learners:list")
