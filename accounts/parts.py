"""What the apps above accounts tell it about the parts a person plays in Waymark.

Accounts sits below the apps that give people work to do (a role in a centre, a learner
record), so it cannot read their tables. Each such app registers here, when Django starts
(from its ``receivers.py``), how to answer the two questions accounts asks of an account;
accounts asks them across every centre, outside any one centre's scope.
"""

import hashlib
from collections.abc import Callable

_second_factor_rules: list[Callable] = []
_part_checks: list[Callable] = []


def register_second_factor_rule(rule: Callable) -> Callable:
    """``rule(user)`` is a queryset of the registering app's rows whose existence means the
    work ``user`` does there (judging, sampling, moderating, managing) needs them to sign in
    with an authenticator app. ``user`` may be an ``OuterRef`` to the account, so that
    every rule is asked in the one query of ``accounts.selectors.second_factor_standing``,
    which runs on every request. Whatever changes those rows must raise the person's
    ``access_epoch`` (``accounts.services.raise_access_epoch``, from a receiver), since
    sessions keep the answer while it stands still. Usable as a decorator; registering a
    rule again has no further effect."""
    if rule not in _second_factor_rules:
        _second_factor_rules.append(rule)
    return rule


def register_part(check: Callable) -> Callable:
    """``check(user, besides=learner)`` says whether ``user`` has a part to play in the
    registering app other than ``besides``, the learner record being erased: such an account
    stays. Usable as a decorator; registering a check again has no further effect."""
    if check not in _part_checks:
        _part_checks.append(check)
    return check


def second_factor_rules() -> list[Callable]:
    return list(_second_factor_rules)


_SIMPLE_CONSTANTS = (str, bytes, int, float, bool, type(None))


def second_factor_rules_fingerprint() -> str:
    """The registered rules, as their names and their own code: what a session keeps of
    the answer (``accounts.selectors.second_factor_standing_for``) names it, so a release
    that adds, removes or changes a rule has everyone asked again at their next request
    (a change only in something a rule calls is not seen: change the rule with it). The
    same in every process running the same code."""
    digest = hashlib.sha256()
    for rule in _second_factor_rules:
        code = rule.__code__
        constants = [
            c
            for c in code.co_consts
            if isinstance(c, _SIMPLE_CONSTANTS)
            or (isinstance(c, tuple) and all(isinstance(part, _SIMPLE_CONSTANTS) for part in c))
        ]
        digest.update(f"{rule.__module__}.{rule.__qualname__}".encode())
        digest.update(code.co_code)
        digest.update(repr((code.co_names, constants)).encode())
    return digest.hexdigest()[:16]


def has_part_besides(user, *, besides) -> bool:
    return any(check(user, besides=besides) for check in _part_checks)
