"""Account and web-layer policies that hold on every request."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers

from accounts.selectors import second_factor_standing_for

# Pages a person who still owes their second factor may reach; and the health check, which
# a load balancer asks and which shows nothing of anyone.
BEFORE_SECOND_FACTOR = {"two_factor_verify", "two_factor_set_up", "logout", "operations:health"}


class TwoFactorMiddleware:
    """Sends a signed-in person who must use an authenticator app, and has not yet this
    session, to enter a code (or to set the app up) before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.WAYMARK_REQUIRE_TWO_FACTOR
            and user.is_authenticated
            and not user.is_verified()
            and not self._exempt(request)
        ):
            standing = second_factor_standing_for(request)
            if standing.has_device:
                return self._to("two_factor_verify", request)
            if standing.required:
                return self._to("two_factor_set_up", request)
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        try:
            return resolve(request.path_info).view_name in BEFORE_SECOND_FACTOR
        except Resolver404:
            return False

    @staticmethod
    def _to(name: str, request):
        return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


class NoStoreMiddleware:
    """Nothing shown to a signed-in person (which may hold personal data) is kept by a
    browser or proxy cache, unless the view said otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class AdminReportOnlyPolicyMiddleware:
    """Wagtail's admin still needs inline script and style, so there the Content Security
    Policy is reported rather than enforced; everywhere else it is enforced."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        try:
            in_admin = request.path_info.startswith(reverse("wagtailadmin_home"))
        except NoReverseMatch:  # a URLconf without Wagtail's admin
            in_admin = False
        if in_admin:
            response._csp_config = {}
            response._csp_ro_config = settings.SECURE_CSP
        return response
