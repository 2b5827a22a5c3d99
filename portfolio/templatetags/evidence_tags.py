from django import template
from django.utils.safestring import mark_safe

from common.dates import long_date
from common.text import learner_text_html
from portfolio.kinds import KINDS
from portfolio.sources import record_source

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


@register.simple_tag
def presented_record(kind: str, record: dict) -> str:
    """The record an item of ``kind`` presents (a networking record), shown as the app
    that keeps it shows it (``portfolio.sources``)."""
    return mark_safe(record_source(kind).render(record))  # noqa: S308 (the source's template escapes)


@register.simple_tag
def submitted_record(snapshot: dict) -> str:
    """The record a submitted version's ``snapshot`` holds, if its kind presents one, shown
    as ``presented_record`` shows it."""
    spec = KINDS.get(snapshot.get("kind"))
    if spec is None or not spec.record_source:
        return ""
    source = record_source(spec.kind)
    record = snapshot.get(source.key)
    return mark_safe(source.render(record)) if record else ""  # noqa: S308 (the source's template escapes)
