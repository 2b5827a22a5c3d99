"""Signing in: the password, throttled; then, for those who use one, an authenticator code
(or a recovery code), and setting an authenticator app up."""

import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from accounts.forms import (
    CodeForm,
    EmailAuthenticationForm,
    NextForm,
    PasswordLinkAttemptForm,
    PasswordLinkForm,
    SignInAttemptForm,
)
from accounts.selectors import has_second_factor, second_factor_required, second_factor_standing
from accounts.services import (
    confirm_authenticator,
    end_sessions,
    new_recovery_codes,
    unconfirmed_authenticator,
)
from accounts.throttling import (
    Action,
    attempts_refused,
    clear_sign_in_failures,
    client_address,
    record_attempt,
    record_sign_in_failure,
    sign_in_refused,
)

TRY_LATER = (
    "Too many unsuccessful attempts to sign in. For your security, try again in 15 minutes. If you "
    "have forgotten your password, you can reset it now and sign in with the new one after that."
)


class SignInView(auth_views.LoginView):
    """Django's sign-in, refused for a while (HTTP 429) after repeated failures for one
    email address or from one network address."""

    template_name = "accounts/sign_in.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        email, address = SignInAttemptForm(request.POST).value, client_address(request)
        # The attempt counts as a failure before the password is checked, so attempts sent
        # all at once are each counted by the others; a success then clears them.
        record_sign_in_failure(email=email, address=address)
        if sign_in_refused(email=email, address=address, counting_this=True):
            return self._too_many(email)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            clear_sign_in_failures(email=email)
            return response
        if sign_in_refused(email=email, address=address):
            return self._too_many(email)
        return response

    def _too_many(self, email: str):
        form = self.get_form_class()(self.request, initial={"username": email})
        return self.render_to_response(self.get_context_data(form=form, refused=TRY_LATER), status=429)


TOO_MANY_LINK_REQUESTS = (
    "Too many requests for password links. For your security, try again in 15 minutes. "
    "A link already emailed to you still works."
)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, throttled per email address and per network address like
    sign-in (each request counts, whether or not the address is an account), and with its
    link built on ``WAYMARK_BASE_URL``: the request's Host header is the sender's to choose,
    so a link built from it could point a victim's reset token at another site."""

    form_class = PasswordLinkForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        email, address = PasswordLinkAttemptForm(request.POST).value, client_address(request)
        record_attempt(action=Action.PASSWORD_LINK, account=email, address=address)
        if attempts_refused(action=Action.PASSWORD_LINK, account=email, address=address, counting_this=True):
            context = self.get_context_data(form=self.get_form_class()(), refused=TOO_MANY_LINK_REQUESTS)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self.domain_override = settings.WAYMARK_BASE_URL.split("://", 1)[-1]
        self.extra_email_context = {"base_url": settings.WAYMARK_BASE_URL}
        return super().form_valid(form)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Choosing a password from an emailed link (a reset, or accepting an invitation), and
    then signed in: a learner lands on their portfolio; staff go on to their authenticator
    (the two-factor middleware asks for it) and then their centre's home page. Opening a
    link that does not work counts against the address and the account it names, so
    guessing links is throttled like guessing passwords."""

    template_name = "accounts/password_set.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def dispatch(self, request, *args, **kwargs):
        account, address = f"link:{kwargs.get('uidb64', '')}", client_address(request)
        if attempts_refused(action=Action.PASSWORD_LINK, account=account, address=address):
            self.validlink, self.user = False, None
            context = self.get_context_data(refused=TOO_MANY_LINK_REQUESTS)
            return self.render_to_response(context, status=429)
        response = super().dispatch(request, *args, **kwargs)
        if not self.validlink and response.status_code == 200:
            record_attempt(action=Action.PASSWORD_LINK, account=account, address=address)
        return response

    def get_success_url(self):
        if second_factor_required(self.request.user):
            return reverse("centre:home")
        return reverse("assessment:learner_home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is saved, and you are signed in.")
        return response


class SignOutView(auth_views.LogoutView):
    """Signing out here signs the person out everywhere: a session left open on a shared
    computer ends too."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            end_sessions(user=request.user)
        return super().post(request, *args, **kwargs)


def _next(request, default: str = "/") -> str:
    target = NextForm(request.POST).value or NextForm(request.GET).value
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of signing in, for someone with an authenticator app."""
    if not has_second_factor(request.user):
        return redirect("two_factor_set_up")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.token)
        if device is not None:
            otp_login(request, device)
            if device.persistent_id.startswith("otp_static"):
                messages.warning(
                    request,
                    "You used a recovery code; it will not work again. "
                    "Make new ones from your account’s security page if you are running low.",
                )
            return redirect(_next(request))
        form.add_error("code", "That code is not right, or has expired. Enter the code your app shows now.")
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next(request)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_set_up(request):
    """Pair an authenticator app with the account, then show the recovery codes once."""
    if has_second_factor(request.user) and not request.user.is_verified():
        return redirect("two_factor_verify")
    device = unconfirmed_authenticator(user=request.user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.token):
            codes = confirm_authenticator(device=device, actor=request.user)
            otp_login(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next(request), "first": True},
            )
        form.add_error("code", "That code is not right. Enter the code your app shows for Waymark now.")
    return render(
        request,
        "accounts/two_factor_set_up.html",
        {
            "form": form,
            "qr_code": _qr_svg(device.config_url),
            "secret": base64.b32encode(device.bin_key).decode(),
            "required": second_factor_required(request.user),
            "next": _next(request),
        },
        status=400 if form.errors else 200,
    )


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode").replace(
        "<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1
    )
    return mark_safe(svg)  # noqa: S308 (drawn by qrcode from Waymark's own otpauth URL)


@login_required
def security(request):
    standing = second_factor_standing(request.user)
    return render(
        request,
        "accounts/security.html",
        {"has_second_factor": standing.has_device, "required": standing.required},
    )


@login_required
@require_POST
def recovery_codes(request):
    """New recovery codes, replacing the old ones, for someone signed in with their app."""
    if not (request.user.is_verified() and has_second_factor(request.user)):
        return redirect("two_factor_verify")
    codes = new_recovery_codes(user=request.user, actor=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "/", "first": False})


def csrf_failure(request, reason=""):
    """A form sent without its token (expired, or forged from another site): refused, in
    words a person can act on."""
    return render(request, "403_csrf.html", status=403)


def admin_sign_in(request):
    """Wagtail's admin sends people here to sign in: they use Waymark's own sign-in (with its
    throttling and second factor). Someone already signed in was sent because the admin is
    not theirs to use."""
    if request.user.is_authenticated:
        raise PermissionDenied("The admin is for catalogue editors and centre admins.")
    return redirect_to_login(_next(request, default=reverse("wagtailadmin_home")), login_url=reverse("login"))
