"""Throttling, per account and per network address: sign-ins, and requests for password
links (reset requests, and opening a link to set a password, which is how invitations are
accepted).

After too many failures for one email address, or from one network address, within the
window, every further attempt is refused with HTTP 429 until the window has passed,
without checking the password at all: so a refusal reads and takes the same whether or
not the email address is an account here, and guessing gains nothing.

The network address is ``client_address(request)``, the one function every part of
Waymark that needs the client's address uses.
"""

import ipaddress
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import SignInFailure

Action = SignInFailure.Action
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 (an address, not a binding)


def account_key(email: str) -> str:
    return salted_hmac("accounts.sign_in_failure", email.strip().casefold(), algorithm="sha256").hexdigest()


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the IPv4 client.
    return getattr(address, "ipv4_mapped", None) or address


def client_address(request) -> str:
    """The address of the person making the request.

    ``REMOTE_ADDR``, unless it is one of ``TRUSTED_PROXIES``: then the right-most address
    in ``X-Forwarded-For`` that is not a trusted proxy. Each proxy appends the address it
    was connected from, so that is the last hop no one we trust vouches for; everything to
    its left the client could have written itself. Without trusted proxies the header is
    ignored, since anyone can send it.
    """
    peer = _parse(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return UNKNOWN_ADDRESS
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))

    def is_trusted(address) -> bool:
        return any(address in network for network in trusted)

    if not is_trusted(peer):
        return str(peer)
    client = peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _parse(hop)
        if address is None:
            break  # not written by a proxy of ours: go no further than the last one
        client = address
        if not is_trusted(address):
            break
    return str(client)


def _limits(action: str) -> tuple[int, int]:
    if action == Action.PASSWORD_LINK:
        return settings.PASSWORD_LINK_REQUESTS_PER_ACCOUNT, settings.PASSWORD_LINK_REQUESTS_PER_ADDRESS
    return settings.SIGN_IN_FAILURES_PER_ACCOUNT, settings.SIGN_IN_FAILURES_PER_ADDRESS


def _recent(action: str, **filters):
    since = timezone.now() - timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW_SECONDS)
    return SignInFailure.objects.filter(action=action, failed_at__gte=since, **filters)


def attempts_refused(*, action: str, account: str, address: str, counting_this: bool = False) -> bool:
    """Whether ``action`` for ``account`` (an email address) or from ``address`` is refused
    for now; with ``counting_this``, the attempts counted include the one being made."""
    per_account, per_address = _limits(action)
    allowance = 1 if counting_this else 0
    return (
        _recent(action, account_key=account_key(account)).count() >= per_account + allowance
        or _recent(action, address=address).count() >= per_address + allowance
    )


def record_attempt(*, action: str, account: str, address: str) -> None:
    now = timezone.now()
    expired = SignInFailure.objects.filter(
        failed_at__lt=now - timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW_SECONDS)
    )
    # Looked for first: a DELETE takes SQLite's one write lock even when it deletes nothing,
    # and every sign-in attempt comes here.
    if expired.exists():
        expired.delete()
    SignInFailure.objects.create(
        action=action, account_key=account_key(account), address=address, failed_at=now
    )


def sign_in_refused(*, email: str, address: str, counting_this: bool = False) -> bool:
    return attempts_refused(
        action=Action.SIGN_IN, account=email, address=address, counting_this=counting_this
    )


def record_sign_in_failure(*, email: str, address: str) -> None:
    record_attempt(action=Action.SIGN_IN, account=email, address=address)


def clear_sign_in_failures(*, email: str) -> None:
    SignInFailure.objects.filter(action=Action.SIGN_IN, account_key=account_key(email)).delete()
