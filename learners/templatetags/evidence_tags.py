from django import template
from django.utils.safestring import mark_safe

from learners.text import learner_text_html

register = template.Library()


@register.filter
def learner_text(text: str) -> str:
    """A learner's Markdown as HTML cut to formatting tags (see ``learners.text``)."""
    return mark_safe(learner_text_html(text))  # noqa: S308 (sanitised by nh3)
