"""The one place where centre-owned data is scoped to a centre.

Centre-owned models declare ``objects = centre_scoped_manager()``. Their querysets raise
``django_scopes.ScopeError`` unless a centre scope is active, so a forgotten scope fails
loudly instead of leaking another centre's rows. The request middleware activates the
scope of the request's centre; commands and tasks enter it themselves with
``centre_scope(centre)``.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models
from django_scopes import ScopedManager, scope, scopes_disabled

SCOPE_DIMENSION = "centre"

__all__ = ["centre_scope", "centre_scoped_manager", "is_centre_scoped", "scopes_disabled"]


def centre_scoped_manager(
    field: str = "centre", manager_class: type[models.Manager] = models.Manager
) -> models.Manager:
    """A manager whose querysets are filtered to the active centre through ``field``."""
    manager = ScopedManager(_manager_class=manager_class, **{SCOPE_DIMENSION: field})
    manager.centre_scope_field = field
    return manager


def is_centre_scoped(manager: models.Manager) -> bool:
    return getattr(manager, "centre_scope_field", None) is not None


@contextmanager
def centre_scope(centre) -> Iterator[None]:
    """Limit every centre-owned query to ``centre``; no centre means no rows at all.

    django-scopes treats a scope value of ``None`` as "do not filter", which would
    open every centre's data to a request that has none, so it is replaced by an
    empty list, which matches nothing. The scope holds the centre's key, which filters
    the centre itself (``pk``) and every row that points at it (``centre``) alike.
    """
    with scope(**{SCOPE_DIMENSION: centre.pk if centre is not None else []}):
        yield
