import io

from django.http import FileResponse

from common.uploads import ACCEPTED_TYPES, EXECUTABLE_EXTENSIONS, TRAILING_DOTS_AND_SPACES, final_extension

# Other spellings of the accepted types' extensions, so "photo.jpeg" is offered as
# "photo.jpg", not "photo.jpeg.jpg".
EXTENSION_ALIASES = {"jpeg", "jpe", "jfif", "text", "qt", "m4v"}
KNOWN_EXTENSIONS = {ext.lstrip(".") for ext, _ in ACCEPTED_TYPES.values()} | EXTENSION_ALIASES
UNKNOWN_TYPE_EXTENSION = ".bin"


def safe_download_name(name: str, content_type: str) -> str:
    """The name a stored file is handed out under: what the learner called it, ending in
    the extension of the type Waymark checked it to be, never one that runs when opened.

    Decided from the stored type rather than the name, so a file stored before scripts
    were refused by name (a .vbs that libmagic called plain text) still comes out as
    .txt. Every download, inline view and archive entry of a learner's file is named here.
    """
    extension = ACCEPTED_TYPES.get(content_type, (UNKNOWN_TYPE_EXTENSION,))[0]
    stem = TRAILING_DOTS_AND_SPACES.sub("", name)
    # Take off every extension that is the type's own, another accepted type's or one
    # that runs: "report.pdf.exe" → "report", then ".pdf". Others are part of the name
    # ("v1.2" stays "v1.2").
    while (suffix := final_extension(stem)) and (
        suffix in KNOWN_EXTENSIONS or suffix in EXECUTABLE_EXTENSIONS or f".{suffix}" == extension
    ):
        stem = TRAILING_DOTS_AND_SPACES.sub("", stem[: stem.lower().rindex(f".{suffix}")])
    stem = stem.lstrip(". ") or "file"
    return f"{stem}{extension}"


def private_file_response(content, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    """A stored file sent so that no browser will run it: an attachment unless ``inline``,
    its type fixed, in a sandbox with nothing allowed, and never cached."""
    if isinstance(content, bytes):
        content = io.BytesIO(content)
    response = FileResponse(content, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def evidence_file_response(evidence_file, *, inline: bool = False, name: str | None = None) -> FileResponse:
    """An evidence file for someone allowed to see it. Shown in a page (``inline``), an
    image is the rendition Waymark re-encoded at upload: the learner's own bytes, which
    could be a polyglot that is also an HTML page, are only ever downloaded. ``name`` is the
    file's name as the person asking sees it (staff: redacted), if not its own."""
    name = name or evidence_file.original_name
    if inline and evidence_file.print_rendition:
        return private_file_response(
            evidence_file.print_rendition.open("rb"),
            filename=safe_download_name(name, "image/jpeg"),
            content_type="image/jpeg",
            inline=True,
        )
    return private_file_response(
        evidence_file.file.open("rb"),
        filename=safe_download_name(name, evidence_file.content_type),
        content_type=evidence_file.content_type,
    )
