"""What the domains above assessment add to a learner's assessment page (one learner on
one unit, ``assessment.views.enrolment_assessment``): the IQA's samples of it, say.

Assessment never imports them; each adds its panel here when Django starts (in its
``receivers.py``), and the page shows every panel's HTML after the decisions, in the
order they were added.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

from learners.models import Enrolment

# Called as ``panel(request=..., enrolment=..., is_assessor=...)``: the panel's HTML, or
# an empty string for nothing to show.
Panel = Callable[..., str]

_panels: dict[str, Panel] = {}


def add_enrolment_panel(name: str, panel: Panel) -> None:
    """Show ``panel`` on every learner's assessment page; adding a name again replaces it."""
    _panels[name] = panel


def enrolment_panels(*, request: HttpRequest, enrolment: Enrolment, is_assessor: bool) -> list[SafeString]:
    """Each panel's HTML for ``enrolment``, as seen by the person asking, the empty left out."""
    panels = list(_panels.values())
    shown = [panel(request=request, enrolment=enrolment, is_assessor=is_assessor) for panel in panels]
    return [html for html in shown if html]
