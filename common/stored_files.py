"""What a Django storage holds, found through the storage's own API (``listdir``), so
that a bucket is walked as well as a folder on disk."""

from collections.abc import Iterator

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


def stored_names(storage, folder: str = "") -> Iterator[str]:
    """Every file's name under ``folder`` of ``storage``, each folder's files (sorted)
    before its subfolders. Nothing for a folder that is not there: a local folder not yet
    made, or a prefix of a bucket with nothing under it (which is not an error there)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(files):
        yield f"{prefix}{name}"
    for name in sorted(folders):
        yield from stored_names(storage, f"{prefix}{name}")


class StorageInUse(LazyObject):
    """The storage that STORAGES names ``alias`` (set by a subclass), looked up when first
    used and again whenever the setting changes. A model field keeps the storage object it
    was given when its model was defined; given this one instead, the field follows the
    settings in use (a bucket the tests start, the folder of a restored copy)."""

    alias: str

    def __init__(self):
        super().__init__()
        _in_use.append(self)

    def _setup(self):
        self._wrapped = storages[self.alias]


_in_use: list[StorageInUse] = []


@receiver(setting_changed)
def _look_up_again(*, setting, **kwargs):
    # Sent only when settings are overridden (override_settings), never in production.
    if setting == "STORAGES":
        for storage in _in_use:
            storage._wrapped = empty
