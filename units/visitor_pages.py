"""The public catalogue's pages kept whole for visitors, in the cache every process shares.

A visitor (no session, no message waiting, no credentials) is shown the same unit page
as every other visitor: the awarding body's published text in the site's frame. So the
first such answer is kept, and the next visitor asking for the same address is given it
before Wagtail finds the site and the page (five queries): no query at all. Signed-in
people are never given a kept page, nor is one kept from what they were shown.

Every kept page is filed under the catalogue's current *generation*, a token in the same
cache. Anything that can change what a visitor sees (a page saved, published,
unpublished, moved or deleted, a site or a page's privacy changed) gives the catalogue a
new generation once its transaction has committed, so from then on every process looks
under the new one and renders afresh; pages kept under the old one are never named
again and expire. A request that read the old generation and the old page may still
file its answer under the old generation, where nobody looks. The key also names the
release (``common.release.release_fingerprint``), so a deployment whose code, templates,
packages or static files changed does not serve pages rendered by the one before.

Only with a cache every process shares (CACHE_URL): with each process's own memory, a
publication in one process (or in ``manage.py import_unit``) could not reach the pages
another process keeps. WAYMARK_VISITOR_PAGES follows CACHE_URL. Only the addresses
Wagtail serves, and only without a query string (a catalogue page has no use for one, and
each new one would be another page to keep). With the cache unreachable, the visitor is
given the page rendered as it would be without it; a change that cannot start a new
generation is logged, and kept pages then expire within PAGE_TIMEOUT.
"""

import hashlib
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from common.release import release_fingerprint

logger = logging.getLogger(__name__)

GENERATION_KEY = "units:visitor-pages:generation"
# Bounds how long a page no generation names any more is kept; a kept page is always
# the current publication's, however old.
PAGE_TIMEOUT = 60 * 60
# What the page's own answer says of itself; the middleware further out (security,
# content security policy, frames) add theirs to a kept page as to any other.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")


def serves(request) -> bool:
    """Whether ``request`` is a visitor's, asking to read a page, with no query string:
    kept pages are for them (of the addresses Wagtail serves: ``VisitorPagesMiddleware``)."""
    return (
        settings.WAYMARK_VISITOR_PAGES
        and request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def keep_for_visitors(request) -> None:
    """Said by a page as it serves a visitor: its answer may be kept for the next ones."""
    request.kept_for_visitors = True


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # None yet, or the cache was emptied: start one; of two processes starting one
        # at the same moment, both then use the one that was stored first.
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    return generation


def page_key(request) -> str:
    address = hashlib.sha256(f"{request.get_host()} {request.path}".encode()).hexdigest()
    return f"units:visitor-page:{release_fingerprint()}:{_generation()}:{address}"


def kept_page(key: str) -> HttpResponse | None:
    kept = cache.get(key)
    if kept is None:
        return None
    content, headers = kept
    response = HttpResponse(content)
    for name, value in headers:
        response.headers[name] = value
    # As the session middleware says of the page it renders (after this one kept it):
    # what a signed-in person is given at this address differs.
    patch_vary_headers(response, ("Cookie",))
    return response


def keep_page(key: str, request, response) -> None:
    """Keeps ``response`` if the page said it may be kept and nothing in it is this
    request's own (a cookie set, an error, a stream)."""
    if (
        getattr(request, "kept_for_visitors", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Set-Cookie")
    ):
        headers = [(name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers]
        cache.set(key, (response.content, headers), PAGE_TIMEOUT)


def forget_visitor_pages() -> None:
    """A new generation, once the change that calls for it is committed."""
    transaction.on_commit(_new_generation, robust=True)


def _new_generation() -> None:
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception:
        # The change is saved; pages kept before it are given until they expire.
        logger.exception(
            "Visitors' kept pages could not be started afresh; they expire within %d s.", PAGE_TIMEOUT
        )


class VisitorPagesMiddleware:
    """Gives a visitor a kept page, or keeps the one they are given (see the module):
    once Django has found the address to be one Wagtail serves, so that it is not
    resolved twice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (key := getattr(request, "visitor_page_key", None)) is not None:
            try:
                keep_page(key, request, response)
            except Exception:
                logger.exception("A visitor's page could not be kept.")
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.url_name != "wagtail_serve" or not serves(request):
            return None
        try:
            key = page_key(request)
            response = kept_page(key)
        except Exception:
            logger.exception("The cache of visitors' pages is unreachable; the page is rendered.")
            return None
        if response is None:
            request.visitor_page_key = key
        return response
