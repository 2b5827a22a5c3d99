import secrets

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import record_audit


def password_link(*, user) -> str:
    """A link to set the person's password: single use (it is signed over the current
    password and last sign-in, so it stops working once used) and expiring after
    PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.WAYMARK_BASE_URL}{path}"


def unusable_password() -> str:
    """A password nobody can sign in with, different every time, as Django's
    ``set_unusable_password`` makes: a password link signed over it stops working when it
    is replaced. Made from one call for random bytes, where Django's makes forty: an
    import gives ten thousand accounts one each."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def end_sessions(*, user) -> None:
    """End every session ``user`` has, on any device: each is refused at its next request
    (their session hash no longer matches), so the person must sign in again."""
    from accounts.models import User

    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)


def raise_access_epoch(*, user_ids) -> None:
    """Something their sessions keep has changed (whether they need a second factor, their
    roles, a moderator's grants): what the sessions keep is asked again at their next
    request (``accounts.selectors.kept_in_session``)."""
    from accounts.models import User

    User.objects.filter(pk__in=user_ids).update(access_epoch=F("access_epoch") + 1)


RECOVERY_CODES = 10


def unconfirmed_authenticator(*, user) -> TOTPDevice:
    """The authenticator the person is pairing: the same secret until they confirm it,
    so reloading the page does not change the QR code they are scanning."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def confirm_authenticator(*, device: TOTPDevice, actor) -> list[str]:
    """Make ``device`` the person's authenticator (replacing any other) and give them new
    recovery codes, which are returned to be shown once."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_audit(actor=actor, verb="account.authenticator_set_up", target=device.user)
    return new_recovery_codes(user=device.user, actor=actor)


@transaction.atomic
def new_recovery_codes(*, user, actor) -> list[str]:
    """Single-use codes for signing in without the authenticator; any earlier ones stop
    working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    record_audit(actor=actor, verb="account.recovery_codes_made", target=user)
    return codes


@transaction.atomic
def reset_second_factor(*, user, actor=None) -> None:
    """For someone who has lost their authenticator and their recovery codes: their app and
    codes are removed and their sessions ended, so at their next sign-in they set a new app
    up (staff must; a learner may)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    end_sessions(user=user)
    record_audit(actor=actor, verb="account.second_factor_reset", target=user)
