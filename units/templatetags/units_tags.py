from functools import lru_cache

import markdown
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def published_text(text: str) -> str:
    """A unit's section as the awarding body wrote it (Markdown), as safe HTML."""
    return mark_safe(_published_html(text))  # noqa: S308 (sanitised by nh3)


# The catalogue's sections are few and read on every view of a unit's page: each is
# turned into HTML once per process (the text itself is the key, so an edit is new).
@lru_cache(maxsize=512)
def _published_html(text: str) -> str:
    return nh3.clean(markdown.markdown(text))
