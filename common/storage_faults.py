"""When a file storage itself fails: a full disk, a lost network mount, an object store
that cannot be reached or refuses. The failure is the storage's, not the person's, and
it may pass, so Waymark says so and asks them to try again later rather than answering
with a server error.

Services and views catch ``storage_failures()``, never one backend's exceptions, so that
the local folder and an S3-compatible store (django-storages) are handled alike.
"""

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

logger = logging.getLogger(__name__)

# How long a browser or a client is asked to wait before trying again (RFC 9110 §10.2.3).
RETRY_AFTER_SECONDS = 120


def storage_failures() -> tuple[type[Exception], ...]:
    """The exceptions by which a storage says it failed: ``OSError`` for a local disk
    (ENOSPC, EIO) and for Python's own connection errors; with django-storages' S3
    backend installed, botocore's errors too, which are not ``OSError``s (an endpoint
    that cannot be reached, a timeout, a 503 "slow down")."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # no object-store backend installed: a local folder
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


def storage_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The page for a file that cannot be read just now: 503, to be tried again later."""
    response = TemplateResponse(request, "storage_unavailable.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def file_or_unavailable(
    request: HttpRequest, respond: Callable[[], HttpResponse], *, what: str
) -> HttpResponse:
    """``respond()``, the response that opens a stored file (``what`` it is, for the log:
    "evidence file 12", "bundle 3"); while the storage fails, the page asking to try again
    later (503) instead. A file that is simply missing is no outage that passes, so that
    error goes on, as the fault it is."""
    try:
        return respond()
    except storage_failures() as error:
        if isinstance(error, FileNotFoundError):
            raise
        logger.error("The %s could not be opened: %r", what, error)
        return storage_unavailable_response(request)
