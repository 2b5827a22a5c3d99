from django import template
from django.utils.safestring import mark_safe

from common.dates import long_date
from common.text import learner_text_html
from networking.selectors import Record, compare_reviews, register_map_svg

register = template.Library()


@register.filter
def learner_text(text: str) -> str:
    """A learner's Markdown as HTML cut to formatting tags (see ``common.text``)."""
    return mark_safe(learner_text_html(text))  # noqa: S308 (sanitised by nh3)


@register.filter
def redacted(text: str, redactor) -> str:
    """The learner's ``text`` (a title, a note, a file name) as the staff see it, through
    the learner's redactor (``common.redaction.redactor_for``). A page that forgot to
    give it fails rather than show the text as typed."""
    if redactor is None or redactor == "":
        raise ValueError("The page has no redactor for the learner's words.")
    return redactor.text(text)


@register.filter
def iso_date(value: str) -> str:
    """A date (or a time, read as its day) kept as ISO text in a snapshot, as people read
    it: 14 March 2026."""
    return long_date(value)


@register.inclusion_tag("networking/record.html")
def network_record(network: dict) -> dict:
    """A networking record as evidence presents it (see ``networking.selectors``):
    a register with its map, a review beside the one before, or guidelines."""
    context = {"network": network}
    if network["record"] == Record.REVIEW:
        previous = network["previous"]
        context["changes"] = compare_reviews(previous or {"entries": []}, network["review"])
    return context


@register.inclusion_tag("networking/map.html")
def network_map(contacts: list[dict]) -> dict:
    """The network map of a register's contacts (as ``network_record`` builds them)."""
    return {
        "svg": mark_safe(register_map_svg(contacts)),  # noqa: S308 (built with every label escaped)
        "hidden": any(not contact["identified"] for contact in contacts),
    }
