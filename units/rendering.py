"""The public unit page's body (the unit, its outcomes and criteria), rendered once per
publication and kept in Django's cache.

The body is the awarding body's published text, the same for every reader, signed in or
not: who is reading shows only in the page around it (base.html), which is rendered on
every request. The key names the publication it was rendered from, the page's live
revision and the moment it was published, both read with the page itself while Wagtail
routes the request, and the release that renders it (``common.release``): publishing
(from the editor, or a re-import of the unit) changes them, so the new text is shown at
once, by every process, whether the cache is each process's own memory or Redis shared
by all. Nothing has to be deleted when a unit is published. A preview is the editor's
draft, not the publication the key names, and is never cached; neither is a page
published without a revision (made in code, as in tests), which has nothing to name it by.
"""

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from common.release import release_fingerprint

BODY_TEMPLATE = "units/unit_page_body.html"
# Long enough that a unit is rendered about once a day per publication; the key changes
# on every publication, so this only bounds how long an entry no page names is kept.
BODY_TIMEOUT = 24 * 60 * 60


def body_cache_key(page) -> str | None:
    """The key of ``page``'s published body, or None when it has no publication to name."""
    if page.live_revision_id is None or page.last_published_at is None:
        return None
    published = page.last_published_at.isoformat()
    return f"units:page-body:{release_fingerprint()}:{page.pk}:{page.live_revision_id}:{published}"


def render_body(page) -> SafeString:
    # The outcomes and their criteria are read only here, when the body is rendered.
    outcomes = page.learning_outcomes.prefetch_related("criteria")
    return mark_safe(render_to_string(BODY_TEMPLATE, {"page": page, "outcomes": outcomes}).strip())  # noqa: S308 (a template's output, escaped by it)


def unit_page_body(page, *, preview: bool) -> SafeString:
    """``page``'s body as HTML: from the cache when this publication was rendered before."""
    key = None if preview else body_cache_key(page)
    if key is None:
        return render_body(page)
    if (body := cache.get(key)) is None:
        body = render_body(page)
        cache.set(key, str(body), BODY_TIMEOUT)
    return mark_safe(body)  # noqa: S308 (rendered by render_body above, here or in another request)
