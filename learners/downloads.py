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
