"""Reading the file a catalogue command is given, refused with the reason when it cannot be."""

from pathlib import Path

from django.core.management.base import CommandError


def read_file(path: Path, *, limit: int, what: str = "the file") -> bytes:
    """The bytes of ``path``, at most ``limit`` of them: a missing file, a folder or a bigger
    file is refused, naming it."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise CommandError(f"{path}: cannot read the file ({error.strerror}).") from None
    if not path.is_file():
        raise CommandError(f"{path}: not a file.")
    if size > limit:
        raise CommandError(f"{path}: the file is {size:,} bytes; {what} may be at most {limit:,} bytes.")
    return path.read_bytes()
