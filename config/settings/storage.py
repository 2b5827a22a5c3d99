"""Static files, media and learners' evidence: where each is kept and how it is served."""

import os
from pathlib import Path

from config.settings.environment import BASE_DIR, DEBUG, ENVIRONMENT, VAR_DIR

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

# Local folder by default; any Django storage class (for example django-storages'
# "storages.backends.s3.S3Storage", configured through its own AWS_* variables) when set.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
    },
    # Learners' evidence: private, never under MEDIA_URL; served only through the
    # permission-checking download view. Any storage class may stand in (S3-compatible
    # through django-storages), as long as it does not make the files public.
    "evidence": {
        "BACKEND": os.environ.get("EVIDENCE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {"location": EVIDENCE_ROOT, "base_url": None}
        if "EVIDENCE_STORAGE_BACKEND" not in os.environ
        else {},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if _static_files_from_source
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
