"""Files a learner might upload: a small PDF, a two-page PDF and a PNG."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from weasyprint import HTML

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def two_page_pdf(text: str = "Networking plan") -> bytes:
    return HTML(string=f"<h1>{text}</h1><p style='break-before: page'>Page two of {text}</p>").write_pdf()


def png(colour: str = "teal", size=(80, 60)) -> bytes:
    content = io.BytesIO()
    Image.new("RGB", size, colour).save(content, "PNG")
    return content.getvalue()


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
