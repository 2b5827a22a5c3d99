"""What this process renders with, as one fingerprint for the caches that keep rendered
pages (``units.rendering``, ``units.visitor_pages``)."""

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage


@cache
def release_fingerprint() -> str:
    """What renders a page, as this process was started with it, hashed: Waymark's own
    code and templates, the static files' names and every installed package's version. A
    deployment that changes any of them files its pages apart from the one before, even
    while processes of both are serving."""
    digest = hashlib.sha256()
    for distribution in sorted(f"{d.metadata['Name']} {d.version}" for d in metadata.distributions()):
        digest.update(distribution.encode())
    base = Path(settings.BASE_DIR).resolve()
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", ())]
    folders += [Path(app.path) for app in apps.get_app_configs() if Path(app.path).resolve().parent == base]
    for source in sorted(
        {path for folder in folders for pattern in ("*.py", "*.html") for path in folder.rglob(pattern)}
    ):
        digest.update(str(source.relative_to(base)).encode())
        digest.update(source.read_bytes())
    manifest = getattr(staticfiles_storage, "hashed_files", None)
    if manifest:
        digest.update(repr(sorted(manifest.items())).encode())
    return digest.hexdigest()[:16]
