from django.db.models import QuerySet

from .models import Centre
from .scoping import scopes_disabled

CURRENT_CENTRE_SESSION_KEY = "waymark_centre_id"


def centres_for_user(*, user) -> QuerySet[Centre]:
    """The centres where ``user`` holds an active role.

    This is the one read that crosses centres: it is what decides which centre a
    request may be scoped to, so it cannot itself run inside that scope.
    """
    if not user.is_authenticated:
        return Centre.objects.none()
    with scopes_disabled():
        return Centre.objects.filter(memberships__user=user, memberships__is_active=True).distinct()


def current_centre_for_request(request) -> Centre | None:
    """The centre a request works in: the one chosen in the session if the person still
    belongs to it, otherwise their only centre, otherwise none until they choose."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    centres = centres_for_user(user=user)
    chosen_id = request.session.get(CURRENT_CENTRE_SESSION_KEY)
    if chosen_id is not None and (chosen := centres.filter(pk=chosen_id).first()):
        return chosen
    candidates = list(centres[:2])
    return candidates[0] if len(candidates) == 1 else None
