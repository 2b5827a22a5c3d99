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
from django_scopes import ScopedManager, get_scope, scope, scopes_disabled
from django_scopes.manager import DisabledQuerySet

SCOPE_DIMENSION = "centre"

__all__ = ["active_centre_id", "centre_scope", "centre_scoped_manager", "is_centre_scoped", "scopes_disabled"]


class FailClosedQuerySet(DisabledQuerySet):
    """django-scopes' queryset for a query without a scope, closed on every way of reading
    it: besides iterating, counting and ``get``, which django-scopes refuses, also
    ``exists``, ``contains``, ``explain`` and ``exclude``, which would answer a yes or no
    across every centre."""

    exists = DisabledQuerySet.error
    contains = DisabledQuerySet.error
    explain = DisabledQuerySet.error
    exclude = DisabledQuerySet.error
    in_bulk = DisabledQuerySet.error
    _fetch_all = DisabledQuerySet.error


def centre_scoped_manager(
    field: str = "centre", manager_class: type[models.Manager] = models.Manager
) -> models.Manager:
    """A manager whose querysets are filtered to the active centre through ``field``."""
    scoped_manager_class = type(ScopedManager(_manager_class=manager_class, **{SCOPE_DIMENSION: field}))

    class CentreScopedManager(scoped_manager_class):
        centre_scope_field = field

        def get_queryset(self):
            queryset = super().get_queryset()
            if isinstance(queryset, DisabledQuerySet):
                return FailClosedQuerySet(self.model, using=self._db, missing_scopes=queryset.missing_scopes)
            return queryset

    return CentreScopedManager()


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


def active_centre_id() -> int | None:
    """The centre whose data the current scope shows, if exactly one centre's is shown.

    For code that is handed no request (Wagtail's permission policies, authentication
    backends) but runs inside one: the request's centre is the scope's centre.
    """
    current = get_scope()
    centre = current.get(SCOPE_DIMENSION)
    return centre if current.get("_enabled", True) and isinstance(centre, int) else None
