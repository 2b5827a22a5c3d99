from django import template
from django.utils.safestring import mark_safe

from networking.evidence import record_context
from networking.selectors import register_map_svg

register = template.Library()


@register.inclusion_tag("networking/record.html")
def network_record(network: dict) -> dict:
    """A networking record as evidence presents it (see ``networking.selectors``): a
    register with its map, a review beside the one before, or guidelines."""
    return record_context(network)


@register.inclusion_tag("networking/map.html")
def network_map(contacts: list[dict]) -> dict:
    """The network map of a register's contacts (as ``network_record`` builds them)."""
    return {
        "svg": mark_safe(register_map_svg(contacts)),  # noqa: S308 (built with every label escaped)
        "hidden": any(not contact["identified"] for contact in contacts),
    }
