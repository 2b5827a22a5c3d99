"""An upload kept between its preview and the confirmation that applies it.

Every import that is previewed before it is applied (a centre's register, a unit file)
goes through ``PreviewedUpload`` and a ``ConfirmPreviewForm``:

1. the preview step keeps the uploaded bytes (``PreviewedUpload.keep``) and puts the
   signed token that names them, with the fingerprint of the plan shown, in the
   confirmation form (``ConfirmPreviewForm.for_plan``);
2. the confirmation form is valid only while the upload is still kept for the same owner
   (``form.kept``: its bytes and stored name); otherwise the person is told
   ``PreviewExpired``'s message and uploads the file again;
3. the service reads the bytes again and compares the plan's fingerprint with the one
   shown, raising its ``Stale`` error with the new plan when they differ;
4. once applied, ``PreviewedUpload.discard`` deletes the kept bytes.

The upload may hold personal data (a register holds names, email addresses and ULNs), so
it waits in the private evidence storage (never a public URL, never on the page), under a
random name, for PREVIEW_LIFETIME at most: the signed token that names it expires then,
and ``sweep_expired_previews`` (run by ``purge_expired``) deletes what an abandoned
preview left. Backups leave the folder out. Keeping the bytes rather than the parsed
result also bounds what the confirmation form carries to a token.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath

from django import forms
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from common.errors import Stale
from common.stored_files import stored_names

PREVIEW_FOLDER = "previews"
PREVIEW_LIFETIME = timedelta(hours=1)
_SALT = "common.previews"


class PreviewExpired(Stale):
    """That preview has expired or was altered. Upload the file again.

    The preview is older than PREVIEW_LIFETIME, was altered, belongs to another owner,
    or its file has gone: the person uploads the file again."""


@dataclass(frozen=True)
class KeptUpload:
    data: bytes
    name: str  # the stored name, whose suffix is the uploaded file's


@dataclass(frozen=True)
class PreviewedUpload:
    """One kind of import's uploads (``kind`` names their folder), each kept for an owner:
    the centre's key for a register, the person's for a unit file (the catalogue is
    shared, so only they may confirm it)."""

    kind: str

    def keep(self, *, data: bytes, owner: int, filename: str) -> str:
        """Store ``data`` and return the signed token that the confirmation sends back."""
        suffix = PurePath(filename).suffix.lower()[:10]
        name = _storage().save(f"{PREVIEW_FOLDER}/{self.kind}/{uuid.uuid4().hex}{suffix}", ContentFile(data))
        return signing.dumps({"name": name, "kind": self.kind, "owner": owner}, salt=_SALT)

    def open(self, *, token: str, owner: int) -> KeptUpload:
        """The upload a token names, while it is alive and ``owner``'s; else ``PreviewExpired``."""
        try:
            kept = signing.loads(token, salt=_SALT, max_age=PREVIEW_LIFETIME)
        except signing.BadSignature:
            raise PreviewExpired from None
        if kept.get("kind") != self.kind or kept.get("owner") != owner or not _storage().exists(kept["name"]):
            raise PreviewExpired
        with _storage().open(kept["name"], "rb") as stored:
            return KeptUpload(data=stored.read(), name=kept["name"])

    def discard(self, kept: KeptUpload) -> None:
        _storage().delete(kept.name)


class ConfirmPreviewForm(forms.Form):
    """The confirmation of a preview: the token of the kept upload and the fingerprint of
    the plan shown. A subclass sets ``previewed``; it may add fields of its own.

    Valid only while the upload is kept for ``owner``; ``kept`` is then the upload. An
    invalid form means the preview expired or was altered (``EXPIRED``)."""

    EXPIRED = PreviewExpired.__doc__.strip().split("\n\n")[0]

    previewed: PreviewedUpload
    upload = forms.CharField(widget=forms.HiddenInput)
    plan_fingerprint = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, owner: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.kept: KeptUpload | None = None

    @staticmethod
    def submitted(request) -> bool:
        """Whether the request is the confirmation (its button is named ``confirm``) rather
        than the upload that comes before it."""
        return request.method == "POST" and "confirm" in request.POST

    @classmethod
    def for_plan(cls, *, token: str, fingerprint: str, owner: int) -> "ConfirmPreviewForm":
        return cls(initial={"upload": token, "plan_fingerprint": fingerprint}, owner=owner)

    def clean(self):
        cleaned = super().clean()
        if "upload" in cleaned and "plan_fingerprint" in cleaned:
            try:
                self.kept = self.previewed.open(token=cleaned["upload"], owner=self.owner)
            except PreviewExpired as expired:
                raise forms.ValidationError(expired.messages) from None
        return cleaned


def _storage():
    return storages["evidence"]


def sweep_expired_previews(*, now: datetime | None = None) -> int:
    """Delete every kept preview older than PREVIEW_LIFETIME; returns how many."""
    storage, cutoff = _storage(), (now or timezone.now()) - PREVIEW_LIFETIME
    swept = 0
    for name in stored_names(storage, PREVIEW_FOLDER):
        if storage.get_modified_time(name) < cutoff:
            storage.delete(name)
            swept += 1
    return swept
