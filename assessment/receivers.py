"""Answers to what the domains below assessment ask of it."""

from assessment.selectors import latest_decisions
from portfolio.judgements import find_decisions_with

# The learner's evidence page shows the decision standing on each criterion it meets.
find_decisions_with(latest_decisions)
