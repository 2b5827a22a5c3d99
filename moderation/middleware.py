from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

from accounts.services import end_sessions
from centre.access import roles_in_centre
from centre.models import Role
from moderation.models import ModeratorAccess


class ModeratorAccessMiddleware:
    """Ends an external moderator's sessions the moment their last access to the centre's
    samples has expired or been revoked: a session opened while they had access is worth
    nothing after it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and roles_in_centre(request) == {Role.MODERATOR}:
            accesses = ModeratorAccess.objects.filter(centre=request.centre, moderator=request.user)
            # Live first: for a moderator at work, the one query this asks.
            if not accesses.live().exists() and accesses.exists():
                end_sessions(user=request.user)
                logout(request)
                messages.info(request, "Your access as a moderator has ended, so you have been signed out.")
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
