"""Account and web-layer policies that hold on every request."""

from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.shortcuts import redirect
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from accounts.selectors import kept_in_session, second_factor_standing_for

# Pages a person who still owes their second factor may reach; and the health check, which
# a load balancer asks and which shows nothing of anyone.
BEFORE_SECOND_FACTOR = {"two_factor_verify", "two_factor_set_up", "logout", "operations:health"}


VERIFIED_DEVICE_SESSION_KEY = "waymark_verified_device"
# What of the device that verified a session decides anything (whose it is, and whether it
# is confirmed): never its secret, which stays in the database alone.
KEPT_DEVICE_FIELDS = ("id", "user_id", "name", "confirmed")


class KeptDeviceOTPMiddleware(OTPMiddleware):
    """django-otp's ``OTPMiddleware``, with the device that verified this session kept in
    the session instead of read from the database on every request: kept with the person's
    ``access_epoch``, which moves whenever one of their devices is made, confirmed or
    unconfirmed, given to someone else or deleted (``accounts.receivers``), so a device
    taken away stops counting at once. django-otp's own checks follow (the device is the
    person's, and confirmed); a field not kept is read from the database if asked for."""

    def _verify_user_sync(self, request, user):
        # django-otp's, but for where the device comes from.
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            device = self._kept_device(request, user, persistent_id) if persistent_id else None
            user.otp_device = self._finalize_device(request, user, device)
        return user

    def _kept_device(self, request, user, persistent_id: str) -> Device | None:
        def read():
            device = self._device_from_persistent_id(persistent_id)
            if device is None:
                return None
            return [device._meta.label, {name: getattr(device, name) for name in KEPT_DEVICE_FIELDS}]

        kept = kept_in_session(
            request,
            VERIFIED_DEVICE_SESSION_KEY,
            given_for=[persistent_id, list(KEPT_DEVICE_FIELDS)],  # as the session's JSON holds it
            read=read,
            user=user,
        )
        if kept is None:
            return None
        label, values = kept
        model = apps.get_model(label)
        names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
        return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


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
