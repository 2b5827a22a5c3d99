"""Static files, media and learners' evidence: where each is kept and how it is served."""

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.settings.environment import BASE_DIR, DEBUG, ENVIRONMENT, IS_PRODUCTION, VAR_DIR

# Static files. In production collectstatic (run by scripts/serve) gathers them into
# STATIC_ROOT under names that carry a hash of their content, with gzip and Brotli copies,
# and WhiteNoise serves them: a hashed name for ten years ("immutable"), since a changed
# file gets a new name. In development and the tests nothing is collected: WhiteNoise finds
# each file where it lies (the apps' static folders) when it is asked for, and names are
# not hashed, so neither needs collectstatic or its manifest.
_static_files_from_source = DEBUG or ENVIRONMENT == "test"
WHITENOISE_USE_FINDERS = _static_files_from_source
WHITENOISE_AUTOREFRESH = _static_files_from_source
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", VAR_DIR / "evidence"))

_FILE_SYSTEM = "django.core.files.storage.FileSystemStorage"
_bucket = os.environ.get("WAYMARK_S3_BUCKET", "").strip()
_endpoint = os.environ.get("WAYMARK_S3_ENDPOINT_URL", "").strip()
_region = os.environ.get("WAYMARK_S3_REGION", "").strip()


def _refuse_half_an_object_storage() -> None:
    """A bucket configured in part would put evidence somewhere nobody meant (on this
    machine's disk, or at AWS instead of the centre's own server), or fail at the first
    upload: refused at start, saying what is missing."""
    if not _bucket:
        given = [name for name in ("WAYMARK_S3_ENDPOINT_URL", "WAYMARK_S3_REGION") if os.environ.get(name)]
        if given:
            verb = "needs" if len(given) == 1 else "need"
            raise ImproperlyConfigured(f"{' and '.join(given)} {verb} WAYMARK_S3_BUCKET, the bucket to use.")
        return
    for other in ("FILE_STORAGE_BACKEND", "EVIDENCE_STORAGE_BACKEND"):
        if other in os.environ:
            raise ImproperlyConfigured(
                f"Set WAYMARK_S3_BUCKET or {other}, not both: the bucket holds evidence and media."
            )
    keys = [name for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY") if os.environ.get(name)]
    if len(keys) == 1:
        (missing,) = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} - set(keys)
        raise ImproperlyConfigured(f"WAYMARK_S3_BUCKET is set with {keys[0]} but without {missing}.")
    if not IS_PRODUCTION:
        return  # boto3's own search (~/.aws/credentials, a profile) may find them
    if not keys:
        raise ImproperlyConfigured(
            "WAYMARK_S3_BUCKET needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in production: "
            "the access key of a user that may read and write that bucket alone."
        )
    endpoint = urlsplit(_endpoint)
    if endpoint.scheme == "http" and endpoint.hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise ImproperlyConfigured(
            f"WAYMARK_S3_ENDPOINT_URL {_endpoint} is plain HTTP to another machine: evidence would "
            "cross the network unencrypted. Use https://, or a server on this machine."
        )


def object_storages(*, bucket: str, endpoint: str = "", region: str = "") -> dict[str, dict]:
    """The media storage ("default") and the evidence storage in ``bucket``, each a
    django-storages S3 storage of a prefix of it.

    One bucket, two prefixes. evidence/ holds the learners' files, their print renditions,
    moderation bundles (bundles/) and uploads waiting for a preview's confirmation
    (previews/): none has a URL that is ever given out; each is read by Waymark and sent
    through the view that checked who is asking. media/ holds Wagtail's images and
    documents. Documents are served by Wagtail's own view (WAGTAILDOCS_SERVE_METHOD), which
    checks their collection's privacy. Images (the catalogue's and the admin's pictures,
    public as nginx serves them from a folder) are served by Waymark from the bucket at
    their usual addresses (``common.media``): not signed URLs of the bucket, which the
    pages' Content-Security-Policy (img-src 'self') would block and which anyone could
    pass on while they last.

    Both are private (no ACL of their own, so the bucket's, which must not be public; any
    address of the bucket the storage made would be signed, though Waymark makes none) and
    never overwrite (a second file of the same name gets a new one, as on
    disk). The access key comes from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, which
    django-storages reads from the environment itself."""
    options = {
        "bucket_name": bucket,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
        # A file read from the bucket is held in memory up to this size, and on disk
        # beyond it, so that a 20 MB video downloaded by several people at once does not
        # fill the memory.
        "max_memory_size": 2 * 1024 * 1024,
    }
    if endpoint:
        # Every S3-compatible server (MinIO, Ceph, Garage, a provider's) answers path-style
        # addresses; a bucket's own host name needs DNS set up for it.
        options |= {"endpoint_url": endpoint, "addressing_style": "path"}
    if region:
        options["region_name"] = region
    return {
        "default": {"BACKEND": "common.media.MediaInBucket", "OPTIONS": {**options, "location": "media"}},
        "evidence": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "location": "evidence"},
        },
    }


_refuse_half_an_object_storage()
# Wagtail's images are served by Waymark (config/urls.py) when they are in a bucket; from a
# local folder nginx serves them.
MEDIA_IMAGES_FROM_STORAGE = bool(_bucket)
if _bucket:
    _stores = object_storages(bucket=_bucket, endpoint=_endpoint, region=_region)
else:
    _stores = {
        # Local folders by default; any Django storage class when FILE_STORAGE_BACKEND or
        # EVIDENCE_STORAGE_BACKEND names one (configured through its own settings).
        # In a folder, media are readable by everyone: nginx, another user, serves
        # Wagtail's images from it (deploy/nginx/waymark.conf), whatever the umask Waymark
        # runs with (the systemd units' 0027 keeps everything else from other users).
        "default": {"BACKEND": os.environ["FILE_STORAGE_BACKEND"], "OPTIONS": {}}
        if "FILE_STORAGE_BACKEND" in os.environ
        else {
            "BACKEND": _FILE_SYSTEM,
            "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
        },
        # Learners' evidence: private, never under MEDIA_URL; served only through the
        # permission-checking download view. Any storage class may stand in, as long as it
        # does not make the files public. In a folder, only Waymark's own user may read it
        # (Django would otherwise make every file readable by all, FILE_UPLOAD_PERMISSIONS).
        "evidence": {"BACKEND": os.environ["EVIDENCE_STORAGE_BACKEND"], "OPTIONS": {}}
        if "EVIDENCE_STORAGE_BACKEND" in os.environ
        else {
            "BACKEND": _FILE_SYSTEM,
            "OPTIONS": {
                "location": EVIDENCE_ROOT,
                "base_url": None,
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        },
    }

STORAGES = {
    **_stores,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if _static_files_from_source
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
