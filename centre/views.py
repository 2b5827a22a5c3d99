from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.references import LEARNER, reference_choices
from centre.access import centre_role_required, roles_in_centre
from centre.forms import AddMemberForm, EndRoleForm, OfferedUnitsForm
from centre.models import Membership, OfferedUnit, Role
from centre.selectors import CURRENT_CENTRE_SESSION_KEY, assessors_of_centre, audit_trail, centres_for_user
from centre.services import CentreServiceError, add_member, end_membership, set_offered_units


@login_required
@require_http_methods(["GET", "POST"])
def choose_centre(request):
    """The centres a person works in; choosing one scopes every page that follows to it."""
    centres = centres_for_user(user=request.user).order_by("name")
    if request.method == "POST":
        chosen = centres.filter(pk=request.POST.get("centre") or 0).first()
        if chosen is None:
            raise Http404("No such centre among yours.")
        request.session[CURRENT_CENTRE_SESSION_KEY] = chosen.pk
        messages.success(request, f"You are now working in {chosen.name}.")
        return redirect("centre:home")
    return render(request, "centre/choose.html", {"centres": centres})


@login_required
def home(request):
    """A person's starting point in their centre: what each of their roles lets them do."""
    if request.centre is None:
        return redirect("centre:choose")
    roles = roles_in_centre(request)
    return render(
        request,
        "centre/home.html",
        {
            "roles": [Role(role).label for role in Role.values if role in roles],
            "is_centre_admin": Role.CENTRE_ADMIN in roles,
            "is_assessor": Role.ASSESSOR in roles,
            "is_learner": Role.LEARNER in roles,
            "is_iqa": Role.IQA in roles,
            "is_moderator": Role.MODERATOR in roles,
            "has_other_centres": centres_for_user(user=request.user).count() > 1,
        },
    )


@centre_role_required(Role.CENTRE_ADMIN)
@require_http_methods(["GET", "POST"])
def staff(request):
    """The centre's people and their roles; add a role (inviting someone new) or end one."""
    form = AddMemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            membership, granted = add_member(centre=request.centre, actor=request.user, **form.cleaned_data)
        except (CentreServiceError, ValidationError) as error:
            form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
        else:
            role = membership.get_role_display().lower()
            if granted:
                messages.success(request, f"{membership.user.email} is now {role} here.")
            else:
                messages.info(request, f"{membership.user.email} is already {role} here.")
            return redirect("centre:staff")
    memberships = Membership.objects.filter(centre=request.centre, is_active=True).select_related("user")
    return render(
        request,
        "centre/staff.html",
        {"form": form, "memberships": memberships.order_by("user__sort_key", "user__email", "role")},
    )


@centre_role_required(Role.CENTRE_ADMIN)
@require_http_methods(["GET", "POST"])
def end_role(request, pk: int):
    """Confirm, then end one person's role here."""
    membership = (
        Membership.objects.filter(centre=request.centre, pk=pk, is_active=True).select_related("user").first()
    )
    if membership is None:
        raise Http404("No such role in this centre.")
    form = EndRoleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        end_membership(membership=membership, actor=request.user)
        messages.success(
            request, f"{membership.user.email} is no longer {membership.get_role_display().lower()} here."
        )
        return redirect("centre:staff")
    return render(
        request,
        "centre/end_role.html",
        {"membership": membership, "form": form},
        status=400 if form.is_bound else 200,
    )


@centre_role_required(Role.CENTRE_ADMIN)
@require_http_methods(["GET", "POST"])
def offered_units(request):
    offered = OfferedUnit.objects.filter(centre=request.centre).values_list("unit", flat=True)
    # Unticking every unit posts no field at all: bind the form to any POST, empty or not.
    form = OfferedUnitsForm(
        request.POST if request.method == "POST" else None, initial={"units": list(offered)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes = set_offered_units(
                centre=request.centre,
                urns=[unit.urn for unit in form.cleaned_data["units"]],
                actor=request.user,
            )
        except CentreServiceError as error:
            form.add_error("units", str(error))
        else:
            messages.success(
                request, f"The centre now {'; '.join(changes)}." if changes else "Nothing changed."
            )
            return redirect("centre:units")
    return render(request, "centre/units.html", {"form": form})


@centre_role_required(Role.CENTRE_ADMIN, Role.IQA)
def audit_trail_page(request):
    """The centre's audit trail, for its admins and IQAs, by learner, assessor or unit."""
    learners = reference_choices(LEARNER, centre=request.centre)
    assessors = assessors_of_centre(centre=request.centre)
    units = OfferedUnit.objects.filter(centre=request.centre).select_related("unit").order_by("unit__title")
    learner_id = _int(request.GET.get("learner"))
    assessor = assessors.filter(pk=_int(request.GET.get("assessor")) or 0).first()
    unit_id = _int(request.GET.get("unit"))
    page = audit_trail(
        centre=request.centre,
        learner_id=learner_id,
        assessor=assessor,
        unit_id=unit_id,
        page=_int(request.GET.get("page")) or 1,
    )
    return render(
        request,
        "centre/audit_trail.html",
        {
            "page": page,
            "learners": learners,
            "assessors": assessors,
            "units": units,
            "chosen": {"learner": learner_id, "assessor": getattr(assessor, "pk", None), "unit": unit_id},
        },
    )


def _int(value) -> int | None:
    return int(value) if value and str(value).isascii() and str(value).isdigit() else None
