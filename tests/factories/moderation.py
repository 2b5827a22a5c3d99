"""Real evidence files (PDFs, photographs) for the moderation sample and bundle."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from weasyprint import HTML


def two_page_pdf(text: str = "Networking plan") -> bytes:
    return HTML(string=f"<h1>{text}</h1><p style='break-before: page'>Page two of {text}</p>").write_pdf()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    content = io.BytesIO()
    writer.write(content)
    return content.getvalue()


def png(colour: str = "teal", size=(80, 60)) -> bytes:
    content = io.BytesIO()
    Image.new("RGB", size, colour).save(content, "PNG")
    return content.getvalue()


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
