"""How the apps above the audit trail name what its records refer to by key.

A record keeps keys only: a learner's (``learner_ref``), a unit's (``unit_ref``), a
person's audit key (``actor_key``). The audit app sits below every domain, so it cannot
read their tables to name them; instead each app that owns a kind of reference registers
here, when Django starts (its ``receivers.py``), how to name a set of keys for a reader, and
the trail's readers (the centre's audit trail page, a learner's subject access export) ask
by kind. A kind nobody registered names nothing, as a key since erased names nothing.
"""

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

# The kinds of reference, and who names them.
LEARNER = "learner"  # learner_ref, named by learners: "Ada Lovelace (0001)"
UNIT = "unit"  # unit_ref, named by units: the unit's reference number
STAFF_ROLE = "staff_role"  # actor_key, named by centre: the person's staff roles in the centre


@dataclass(frozen=True)
class Reference:
    """How one kind of reference is named: ``names(centre, keys)`` gives a label for each
    key it knows, in one query however many keys; ``choices(centre)``, where there is
    one, every key a reader may pick the trail by, in the order they are listed."""

    names: Callable[[Any, Collection], dict]
    choices: Callable[[Any], Iterable[tuple[Any, str]]] | None = None


_registry: dict[str, Reference] = {}


def register_reference(kind: str, *, names, choices=None) -> None:
    """Say how references of ``kind`` are named (registering a kind again replaces it)."""
    _registry[kind] = Reference(names=names, choices=choices)


def name_references(kind: str, *, centre, keys: Collection) -> dict:
    """A label for each of ``keys`` (of ``kind``, in ``centre``) that still names something."""
    reference = _registry.get(kind)
    if reference is None or not keys:
        return {}
    return reference.names(centre, keys)


def reference_choices(kind: str, *, centre) -> list[tuple[Any, str]]:
    """Every key of ``kind`` in ``centre`` a reader may choose, with its label."""
    reference = _registry.get(kind)
    if reference is None or reference.choices is None:
        return []
    return list(reference.choices(centre))
