"""The bundle template's names for its elements and files, made by
``moderation.bundle.anchors``, which also reads them back from the laid-out pages."""

from django import template

from moderation.bundle import anchors

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
def bundle_file_url(file_pk: int) -> str:
    """``src="{{ image.pk|bundle_file_url }}"``: the URL the renderer serves the file at."""
    return anchors.file_url(file_pk)


@register.simple_tag
def bundle_stylesheet_url() -> str:
    return anchors.STYLESHEET_URL
