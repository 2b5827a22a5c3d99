"""What a Django storage holds, found through the storage's own API (``listdir``), so
that a bucket is walked as well as a folder on disk."""

from collections.abc import Iterator


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
