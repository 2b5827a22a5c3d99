from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


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


def send_invitation(*, user, centre, role: str) -> None:
    from centre.models import Role

    context = {
        "user": user,
        "centre": centre,
        "role": Role(role).label,
        "link": password_link(user=user),
        "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
        "sign_in": f"{settings.WAYMARK_BASE_URL}{reverse('login')}",
    }
    send_mail(
        subject=f"You have been invited to Waymark by {centre.name}",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
