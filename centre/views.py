from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .access import roles_in_centre
from .models import Role
from .selectors import CURRENT_CENTRE_SESSION_KEY, centres_for_user


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
            "has_other_centres": centres_for_user(user=request.user).count() > 1,
        },
    )
