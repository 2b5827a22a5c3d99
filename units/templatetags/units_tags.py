import markdown
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def published_text(text: str) -> str:
    """A unit's section as the awarding body wrote it (Markdown), as safe HTML."""
    return mark_safe(nh3.clean(markdown.markdown(text)))  # noqa: S308 (sanitised by nh3)
