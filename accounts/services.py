from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record, record_audit, record_audits


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


def invitation_message(*, user, centre, role: str) -> EmailMessage:
    """The invitation email: a link, valid once and for PASSWORD_RESET_TIMEOUT, to choose
    a password, built from WAYMARK_BASE_URL (never from a request's Host header)."""
    from centre.models import Role

    context = {
        "user": user,
        "centre": centre,
        "role": Role(role).label,
        "link": password_link(user=user),
        "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
        "sign_in": f"{settings.WAYMARK_BASE_URL}{reverse('login')}",
    }
    return EmailMessage(
        subject=f"You have been invited to Waymark by {centre.name}",
        body=render_to_string("accounts/email/invitation.txt", context),
        to=[user.email],
    )


@transaction.atomic
def invite_people(*, users: list, centre, role: str, actor=None, learner_refs: dict | None = None) -> list:
    """Email each person who has not chosen a password yet a new link to choose one, and
    return those invited. Someone who has chosen a password already signs in instead.

    Inviting again makes every earlier link stop working: links are signed over the
    password field, which is given a fresh unusable value here. ``learner_refs`` maps a
    person's key to the learner record the invitation is for, for the audit trail.
    """
    from accounts.models import User

    invited = [user for user in users if not user.has_usable_password()]
    now = timezone.now()
    for user in invited:
        user.set_unusable_password()
        user.invited_at = now
    User.objects.bulk_update(invited, ["password", "invited_at"], batch_size=1000)
    learner_refs = learner_refs or {}
    record_audits(
        [
            audit_record(
                actor=actor,
                verb="account.invited",
                target=user,
                centre=centre,
                learner=learner_refs.get(user.pk),
                details={"role": role, "person": str(user.audit_key)},
            )
            for user in invited
        ]
    )
    # Built now, while each link is signed over the password just saved.
    emails = [invitation_message(user=user, centre=centre, role=role) for user in invited]
    if emails:
        transaction.on_commit(lambda: mailers.default.send_messages(emails))
    return invited


def end_sessions(*, user) -> None:
    """End every session ``user`` has, on any device: each is refused at its next request
    (their session hash no longer matches), so the person must sign in again."""
    from accounts.models import User

    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)


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
