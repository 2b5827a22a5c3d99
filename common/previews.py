"""An upload kept between its preview and the confirmation that applies it.

A register holds names, email addresses and ULNs, so it waits in the private evidence
storage (never a public URL), under a random name, for PREVIEW_LIFETIME at most: the
signed token that names it expires then, and ``sweep_expired_previews`` (run by
``purge_expired``) deletes what an abandoned preview left. Backups leave the folder out.
"""

import uuid
from datetime import datetime, timedelta
from pathlib import PurePath

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from common.errors import Stale

PREVIEW_FOLDER = "previews"
PREVIEW_LIFETIME = timedelta(hours=1)
_SALT = "common.previews"


class PreviewExpired(Stale):
    """That preview has expired or was altered. Upload the file again.

    The preview is older than PREVIEW_LIFETIME, was altered, belongs to another centre,
    or its file has gone: the person uploads the file again."""


def _storage():
    return storages["evidence"]


def keep_preview(*, data: bytes, kind: str, owner: int, filename: str) -> str:
    """Store ``data`` for a preview of ``kind`` made for ``owner`` (a centre's key) and
    return the signed token that the confirmation sends back."""
    suffix = PurePath(filename).suffix.lower()[:10]
    name = _storage().save(f"{PREVIEW_FOLDER}/{kind}/{uuid.uuid4().hex}{suffix}", ContentFile(data))
    return signing.dumps({"name": name, "kind": kind, "owner": owner}, salt=_SALT)


def open_preview(*, token: str, kind: str, owner: int) -> tuple[bytes, str]:
    """The bytes and stored name of a preview still alive, or ``PreviewExpired``."""
    try:
        kept = signing.loads(token, salt=_SALT, max_age=PREVIEW_LIFETIME)
    except signing.BadSignature:
        raise PreviewExpired from None
    if kept.get("kind") != kind or kept.get("owner") != owner or not _storage().exists(kept["name"]):
        raise PreviewExpired
    with _storage().open(kept["name"], "rb") as stored:
        return stored.read(), kept["name"]


def discard_preview(*, name: str) -> None:
    _storage().delete(name)


def sweep_expired_previews(*, now: datetime | None = None) -> int:
    """Delete every kept preview older than PREVIEW_LIFETIME; returns how many."""
    storage, cutoff = _storage(), (now or timezone.now()) - PREVIEW_LIFETIME
    swept = 0
    for folder in _folders(storage, PREVIEW_FOLDER):
        for filename in storage.listdir(folder)[1]:
            name = f"{folder}/{filename}"
            if storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                swept += 1
    return swept


def _folders(storage, top: str):
    if not storage.exists(top):
        return
    yield top
    for sub in storage.listdir(top)[0]:
        yield from _folders(storage, f"{top}/{sub}")
