from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from centre.access import access_membership, centre_role_required, roles_in_centre
from centre.filters import AuditTrailFilter
from centre.forms import AddMemberForm, ChooseCentreForm, EndRoleForm, OfferedUnitsForm
from centre.models import Role
from centre.selectors import (
    CURRENT_CENTRE_SESSION_KEY,
    centres_for_user,
    page_of_audit_trail,
    staff_of_centre,
    units_offered,
)
from centre.services import add_member, end_membership, set_offered_units
from common.forms import run_form


@login_required
@require_http_methods(["GET", "POST"])
def choose_centre(request):
    """The centres a person works in; choosing one scopes every page that follows to it."""
    centres = centres_for_user(user=request.user).order_by("name")
    if request.method == "POST":
        form = ChooseCentreForm(request.POST, centres=centres)
        if not form.is_valid():
            raise Http404("No such centre among yours.")
        chosen = form.cleaned_data["centre"]
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
    if form.is_bound and run_form(
        form, lambda data: add_member(centre=request.centre, actor=request.user, **data)
    ):
        membership, granted = form.outcome
        role = membership.get_role_display().lower()
        if granted:
            messages.success(request, f"{membership.user.email} is now {role} here.")
        else:
            messages.info(request, f"{membership.user.email} is already {role} here.")
        return redirect("centre:staff")
    return render(
        request, "centre/staff.html", {"form": form, "memberships": staff_of_centre(centre=request.centre)}
    )


@centre_role_required(Role.CENTRE_ADMIN)
@require_http_methods(["GET", "POST"])
def end_role(request, pk: int):
    """Confirm, then end one person's role here."""
    membership = access_membership(request, pk)
    form = EndRoleForm(request.POST if request.method == "POST" else None)
    if form.is_bound and run_form(
        form, lambda data: end_membership(membership=membership, actor=request.user)
    ):
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
    offered = [unit.pk for unit in units_offered(centre=request.centre)]
    # Unticking every unit posts no field at all: bind the form to any POST, empty or not.
    form = OfferedUnitsForm(request.POST if request.method == "POST" else None, initial={"units": offered})
    if form.is_bound and run_form(
        form,
        lambda data: set_offered_units(
            centre=request.centre, urns=[unit.urn for unit in data["units"]], actor=request.user
        ),
    ):
        changes = form.outcome
        messages.success(request, f"The centre now {'; '.join(changes)}." if changes else "Nothing changed.")
        return redirect("centre:units")
    return render(request, "centre/units.html", {"form": form})


@centre_role_required(Role.CENTRE_ADMIN, Role.IQA)
def audit_trail_page(request):
    """The centre's audit trail, for its admins and IQAs, by learner, assessor or unit."""
    trail = AuditTrailFilter(request.GET, centre=request.centre)
    return render(
        request,
        "centre/audit_trail.html",
        {
            "page": page_of_audit_trail(trail.qs, centre=request.centre, page=trail.page),
            "learners": trail.learners,
            "assessors": trail.assessors,
            "units": trail.units,
            "chosen": trail.chosen,
        },
    )
