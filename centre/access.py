from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from centre.models import Membership, OfferedUnit
from common.access import centre_object_or_404


def roles_in_centre(request) -> set[str]:
    """The roles the signed-in person holds in the request's centre: as the middleware
    found them with the centre, or (a request made without it) asked once."""
    if not hasattr(request, "_centre_roles"):
        request._centre_roles = (
            set(
                Membership.objects.filter(
                    centre=request.centre, user=request.user, is_active=True
                ).values_list("role", flat=True)
            )
            if request.user.is_authenticated and request.centre is not None
            else set()
        )
    return request._centre_roles


def access_membership(request, pk: int) -> Membership:
    """The active role ``pk`` in the request's centre, with its person; a role ended, of
    another centre or missing is the same 404."""
    return centre_object_or_404(
        request,
        Membership.objects.select_related("user"),
        pk=pk,
        is_active=True,
        missing="No such role in this centre.",
    )


def centre_role_required(*roles: str) -> Callable:
    """A view for people holding one of ``roles`` in the request's centre.

    Visitors are sent to sign in; a person with several centres and none chosen is sent
    to choose one; anyone else without the role is refused (403), whatever they hold in
    other centres.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.centre is None:
                return redirect("centre:choose")
            if not roles_in_centre(request) & set(roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def access_offered_unit(request, unit_id: int) -> OfferedUnit:
    """The request's centre's offer of the unit ``unit_id`` (its unit fetched with it); a
    unit the centre does not offer, or that does not exist, is the same 404."""
    return centre_object_or_404(
        request,
        OfferedUnit.objects.select_related("unit"),
        unit_id=unit_id,
        missing="Your centre does not offer that unit.",
    )
