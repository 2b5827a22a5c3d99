import io

from django.http import FileResponse


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


def evidence_file_response(evidence_file, *, inline: bool = False) -> FileResponse:
    """An evidence file for someone allowed to see it. Shown in a page (``inline``), an
    image is the rendition Waymark re-encoded at upload: the learner's own bytes, which
    could be a polyglot that is also an HTML page, are only ever downloaded."""
    if inline and evidence_file.print_rendition:
        return private_file_response(
            evidence_file.print_rendition.open("rb"),
            filename=f"{evidence_file.original_name}.jpg",
            content_type="image/jpeg",
            inline=True,
        )
    return private_file_response(
        evidence_file.file.open("rb"),
        filename=evidence_file.original_name,
        content_type=evidence_file.content_type,
    )
