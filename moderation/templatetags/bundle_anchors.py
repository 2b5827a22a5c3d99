"""The bundle template's names for its elements and files, made by
``moderation.bundle.anchors``, which also reads them back from the laid-out pages."""

from django import template

from moderation.bundle import anchors
from moderation.bundle.context import printed_content_type

register = template.Library()


@register.filter
def anchor_id(anchor: anchors.Anchor) -> str:
    """``id="{{ c.anchor|anchor_id }}"``, and ``href="#{{ c.anchor|anchor_id }}"`` to link to it."""
    return anchors.anchor_id(anchor)


@register.simple_tag
def page_slot(target, *place) -> str:
    """The id of the space after a reference to ``target`` where the number of its page is
    written: ``{% page_slot c.anchor "cover" forloop.counter %}``."""
    return anchors.anchor_id(anchors.PageSlot.at(target, *place))


@register.filter
def bundle_file_url(image) -> str:
    """``src="{{ image|bundle_file_url }}"``: the URL the renderer serves the image at."""
    return anchors.file_url(image.pk, printed_content_type(image))


@register.simple_tag
def bundle_stylesheet_url() -> str:
    return anchors.STYLESHEET_URL
