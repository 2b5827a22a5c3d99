from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

from accounts.services import end_sessions
from centre.access import roles_in_centre
from centre.models import Role
from moderation.access import live_accesses_of_moderator
from moderation.models import ModeratorAccess


class ModeratorAccessMiddleware:
    """Ends an external moderator's sessions the moment their last access to the centre's
    samples has expired or been revoked: a session opened while they had access is worth
    nothing after it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        moderator = request.user.is_authenticated and roles_in_centre(request) == {Role.MODERATOR}
        if moderator and self._ended(request):
            end_sessions(user=request.user)
            logout(request)
            messages.info(request, "Your access as a moderator has ended, so you have been signed out.")
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def _ended(request) -> bool:
        # Live first: for a moderator at work, the one query this asks, whose answer the
        # views' access to a sample goes on to use (moderation.access).
        if live_accesses_of_moderator(request):
            return False
        return ModeratorAccess.objects.filter(centre=request.centre, moderator=request.user).exists()
