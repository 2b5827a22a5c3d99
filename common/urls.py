"""Addresses of many objects of one kind, for a list that links each of its rows."""

from collections.abc import Callable

from django.urls import reverse

# Two keys no object has, to find where the varying key goes in the reversed address.
_MARKS = (918_273_645_546_372_819, 817_263_544_536_271_809)


def url_for_each(viewname: str, key: str, **fixed) -> Callable[[int], str]:
    """``reverse(viewname, kwargs={**fixed, key: value})`` for any whole number ``value``,
    at the cost of two reversals however many rows ask: a list of sixty learners reverses
    its links' pattern once instead of sixty times. ``key`` must be a part of the address
    that a whole number fills as its digits alone (``<int:…>``, as every key is); one that
    does not is refused."""
    first, second = (reverse(viewname, kwargs={**fixed, key: mark}) for mark in _MARKS)
    before, _, after = first.partition(str(_MARKS[0]))
    if first.count(str(_MARKS[0])) != 1 or second != f"{before}{_MARKS[1]}{after}":
        raise ValueError(f"{viewname}'s {key} is not a whole number's place in its address.")
    return lambda value: f"{before}{int(value)}{after}"
