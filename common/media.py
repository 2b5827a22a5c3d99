"""Wagtail's images, when media are kept in a bucket: served by Waymark from the storage,
so the bucket stays private and a page's pictures come from its own origin.

From a local folder nginx serves ``/media/images/`` as it is (deploy/nginx/waymark.conf).
The images there are the catalogue's and the admin's pictures, public and not personal
data, so this view checks no one; what it adds over a public bucket is that nothing in the
bucket is reachable except through Waymark, that the Content-Security-Policy's
``img-src 'self'`` still holds, and that no signed address of the bucket is ever handed out.
Wagtail's documents are not here: its own view serves them, checking their privacy.
"""

import posixpath
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.encoding import filepath_to_uri
from django.views.decorators.http import require_safe
from storages.backends.s3 import S3Storage

IMAGES_FOLDER = "images"
# What Wagtail makes renditions as; never SVG, which can carry scripts.
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
}


class MediaInBucket(S3Storage):
    """Media in the bucket, each file's address Waymark's own (``MEDIA_URL``), which
    ``serve_image`` answers, rather than one of the bucket's."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return f"{settings.MEDIA_URL}{filepath_to_uri(name)}"


@require_safe
def serve_image(request, name: str):
    """One of Wagtail's images from the media storage, as nginx serves it from a folder:
    its type fixed by its name, never sniffed, cached for 30 days."""
    content_type = IMAGE_TYPES.get(PurePosixPath(name).suffix.lower())
    # Only a plain name under images/: the storage would resolve "../documents/x.png" to
    # another folder of media (documents, original images), which this view must not serve.
    if (
        content_type is None
        or posixpath.normpath(name) != name
        or name.startswith("/")
        or ".." in name.split("/")
    ):
        raise Http404("No such image.")
    try:
        stored = default_storage.open(f"{IMAGES_FOLDER}/{name}", "rb")
    except (FileNotFoundError, SuspiciousOperation):
        raise Http404("No such image.") from None
    response = FileResponse(stored, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=2592000"
    return response
