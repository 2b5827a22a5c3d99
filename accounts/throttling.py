"""Sign-in throttling, per account and per address.

After too many failures for one email address, or from one network address, within the
window, every further attempt is refused with HTTP 429 until the window has passed,
without checking the password at all: so a refusal reads and takes the same whether or
not the email address is an account here, and guessing gains nothing.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import SignInFailure


def account_key(email: str) -> str:
    return salted_hmac("accounts.sign_in_failure", email.strip().casefold(), algorithm="sha256").hexdigest()


def client_address(request) -> str:
    # REMOTE_ADDR is what the server saw; behind a proxy, the proxy must set it (for example
    # gunicorn's --forwarded-allow-ips with uvicorn/ProxyFix), never a header a client can forge.
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 (an address, not a binding)


def _recent(**filters):
    since = timezone.now() - timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW_SECONDS)
    return SignInFailure.objects.filter(failed_at__gte=since, **filters)


def sign_in_refused(*, email: str, address: str, counting_this: bool = False) -> bool:
    """Whether attempts for ``email`` or from ``address`` are refused for now; with
    ``counting_this``, the failures counted include the attempt being made."""
    allowance = 1 if counting_this else 0
    return (
        _recent(account_key=account_key(email)).count() >= settings.SIGN_IN_FAILURES_PER_ACCOUNT + allowance
        or _recent(address=address).count() >= settings.SIGN_IN_FAILURES_PER_ADDRESS + allowance
    )


def record_sign_in_failure(*, email: str, address: str) -> None:
    now = timezone.now()
    SignInFailure.objects.filter(
        failed_at__lt=now - timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW_SECONDS)
    ).delete()
    SignInFailure.objects.create(account_key=account_key(email), address=address, failed_at=now)


def clear_sign_in_failures(*, email: str) -> None:
    SignInFailure.objects.filter(account_key=account_key(email)).delete()
