"""People signed in for the benchmarks, as signing in leaves them."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def signed_in_client(user, *, staff: bool = True) -> Client:
    """A client signed in as ``user``; staff with the authenticator app confirmed this
    session, as the second factor leaves it (django_otp.login)."""
    client = Client()
    client.force_login(user)
    if staff:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
