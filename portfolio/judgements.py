"""The assessor's decisions on the learner's evidence, as the learner's evidence page shows
them beside each criterion it is mapped to.

Assessment judges the portfolio's evidence and sits above it, so the portfolio never
imports it: when Django starts, assessment says here how to find the decision standing on
each criterion (``assessment.receivers``), and the portfolio asks here. Until it has
said, there is no decision to show.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

# Called as ``finder(enrolments=keys)``: the decision standing on each (enrolment key,
# criterion key) of those enrolments that has one.
DecisionFinder = Callable[..., Mapping[tuple[int, int], Any]]

_finder: DecisionFinder | None = None


def find_decisions_with(finder: DecisionFinder) -> None:
    """Have ``finder`` answer ``standing_decisions``; giving another replaces it."""
    global _finder
    _finder = finder


def standing_decisions(*, enrolments: Iterable[int]) -> Mapping[tuple[int, int], Any]:
    """The decision standing on each (enrolment, criterion) of ``enrolments`` (keys)."""
    if _finder is None:
        return {}
    return _finder(enrolments=enrolments)
