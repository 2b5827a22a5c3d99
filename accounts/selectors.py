from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django_otp import device_classes

from accounts.parts import second_factor_rules, second_factor_rules_fingerprint
from common.scoping import scopes_disabled


class SecondFactorStanding(NamedTuple):
    has_device: bool  # an authenticator app (or recovery codes) confirmed
    required: bool


def second_factor_standing(user) -> SecondFactorStanding:
    """Whether ``user`` has a second factor, and whether they must: anyone who judges,
    samples, moderates or manages (staff in any centre, catalogue editors, administrators).
    A learner may choose to; once they have, they are held to it too. Whether someone is
    staff in a centre is the centre app's to say (``accounts.parts``). One query."""
    has_device, has_duties = _devices_and_duties(user)
    return SecondFactorStanding(has_device=has_device, required=has_duties or _administers(user))


def _devices_and_duties(user) -> tuple[bool, bool]:
    """Whether ``user`` has a confirmed device, and whether they have work in Waymark that
    needs one (a group, a permission, what ``accounts.parts``' rules find)."""
    account, accounts = OuterRef("pk"), get_user_model()
    with scopes_disabled():  # the rules ask across every centre
        devices = [Exists(model.objects.filter(user=account, confirmed=True)) for model in device_classes()]
        duties = [
            Exists(accounts.groups.through.objects.filter(user=account)),
            Exists(accounts.user_permissions.through.objects.filter(user=account)),
            *(Exists(rule(account)) for rule in second_factor_rules()),
        ]
        checks = {f"device_{n}": check for n, check in enumerate(devices)}
        checks |= {f"duty_{n}": check for n, check in enumerate(duties)}
        row = accounts.objects.filter(pk=user.pk).values(**checks).get()
    return (
        any(row[f"device_{n}"] for n in range(len(devices))),
        any(row[f"duty_{n}"] for n in range(len(duties))),
    )


def _administers(user) -> bool:
    return user.is_superuser or user.is_staff


SECOND_FACTOR_SESSION_KEY = "waymark_second_factor"


def second_factor_standing_for(request) -> SecondFactorStanding:
    """``second_factor_standing`` of the person signed in, asked on every request of
    someone who has not used their second factor this session (most learners, always): so
    the session keeps the answer, with the person's ``access_epoch`` it was given for, and
    asks again only once the epoch has moved (a role, group, permission or authenticator
    changed, ``accounts.receivers``) or the rules have (a new release). Whether they are an
    administrator is read afresh."""
    user = request.user
    has_device, has_duties = kept_in_session(
        request,
        SECOND_FACTOR_SESSION_KEY,
        given_for=second_factor_rules_fingerprint(),
        read=lambda: list(_devices_and_duties(user)),
    )
    return SecondFactorStanding(has_device=has_device, required=has_duties or _administers(user))


def kept_in_session(request, key: str, *, given_for, read, user=None):
    """``read()`` (a value the session's JSON can hold) for the person signed in (``user``,
    when ``request.user`` is still being found), kept in their session under ``key`` and
    read again only once their ``access_epoch`` moves or ``given_for`` (what the value was
    read under: a release's rules, a table's columns) differs."""
    user = user if user is not None else request.user
    stamp = [user.pk, user.access_epoch, given_for]
    kept = request.session.get(key)
    if kept and kept["for"] == stamp:
        return kept["value"]
    value = read()
    request.session[key] = {"for": stamp, "value": value}
    return value


def has_second_factor(user) -> bool:
    return second_factor_standing(user).has_device


def second_factor_required(user) -> bool:
    return second_factor_standing(user).required
