"""What an evidence upload is, decided from its bytes: each kind of bad file is refused
with a message that names the file and says why."""

import io
import re
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from learners.downloads import safe_download_name
from learners.uploads import UploadRefused, clean_file_name, inspect_upload
from tests.factories import PDF_BYTES

LIMITS = {"max_bytes": 20 * 1024 * 1024, "max_pixels": 50_000_000}


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels, with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 512))
        + chunk(b"IEND", b"")
    )


def photo_with_location() -> bytes:
    image = Image.new("RGB", (64, 48), "teal")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (51.0, 30.0, 0.0),
    }
    content = io.BytesIO()
    image.save(content, "JPEG", exif=exif, quality=90)
    return content.getvalue()


def test_a_pdf_is_accepted_with_its_sha256():
    inspected = inspect_upload(upload("plan.pdf", PDF_BYTES), **LIMITS)
    assert inspected.content_type == "application/pdf"
    assert inspected.extension == ".pdf"
    assert inspected.sha256 == __import__("hashlib").sha256(PDF_BYTES).hexdigest()


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    with pytest.raises(UploadRefused, match=r"“big.pdf” is 2.0\xa0MB; a file can be at most 1.0\xa0MB"):
        inspect_upload(
            upload("big.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024)), max_bytes=1024 * 1024, max_pixels=1
        )


def test_an_executable_renamed_pdf_is_refused():
    with open("/bin/ls", "rb") as program:
        content = program.read()
    with pytest.raises(UploadRefused, match=r"“report.pdf” is a program, not a document"):
        inspect_upload(upload("report.pdf", content), **LIMITS)


def test_a_windows_program_renamed_pdf_is_refused():
    with pytest.raises(UploadRefused, match=r"is a program"):
        inspect_upload(upload("report.pdf", b"MZ\x90\x00" + b"\x00" * 512), **LIMITS)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("drawing.png", b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
        ("page.html", b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"),
        ("notes.txt", b"<script>fetch('/portfolio/')</script>"),
    ],
)
def test_svg_and_html_with_script_are_refused_whatever_their_name(name, content):
    with pytest.raises(UploadRefused, match=f"“{name}” is a web page or drawing .* can carry scripts"):
        inspect_upload(upload(name, content, "text/plain"), **LIMITS)


def test_an_empty_file_is_refused():
    with pytest.raises(UploadRefused, match=r"“empty.pdf” is empty \(0 bytes\)"):
        inspect_upload(upload("empty.pdf", b""), **LIMITS)


def test_a_tiny_png_declaring_fifty_thousand_pixels_square_is_refused_unopened():
    content = png_declaring(50_000, 50_000)
    assert len(content) < 1024
    with pytest.raises(UploadRefused, match=r"“bomb.png” declares an image too large to open safely"):
        inspect_upload(upload("bomb.png", content, "image/png"), **LIMITS)


def test_an_image_over_the_pixel_limit_says_its_size():
    with pytest.raises(
        UploadRefused, match=r"declares 10,000 × 6,000 pixels; an image can have at most 50,000,000"
    ):
        inspect_upload(upload("wide.png", png_declaring(10_000, 6_000), "image/png"), **LIMITS)


def test_a_damaged_image_is_refused():
    content = photo_with_location()[:300]
    with pytest.raises(UploadRefused, match=r"could not be read as an image"):
        inspect_upload(upload("cut.jpg", content, "image/jpeg"), **LIMITS)


def test_a_type_outside_the_allow_list_is_refused_naming_what_it_is():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("secret.txt", "hello")
    with pytest.raises(UploadRefused, match=r"its content is application/zip, whatever its name says"):
        inspect_upload(upload("work.docx", archive.getvalue()), **LIMITS)


def test_a_word_document_is_recognised_by_its_contents():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("[Content_Types].xml", "<Types/>")
        zipped.writestr("word/document.xml", "<w:document/>")
    inspected = inspect_upload(upload("Account", archive.getvalue()), **LIMITS)
    assert inspected.extension == ".docx"


def test_a_photos_location_is_removed_and_the_rest_kept():
    inspected = inspect_upload(upload("site.jpg", photo_with_location(), "image/jpeg"), **LIMITS)
    exif = Image.open(io.BytesIO(inspected.content)).getexif()
    assert exif[ExifTags.Base.Make] == "Phone"
    assert ExifTags.IFD.GPSInfo not in exif
    assert inspected.sha256 == __import__("hashlib").sha256(inspected.content).hexdigest()


def test_a_photo_without_location_is_stored_byte_for_byte():
    image = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(image, "PNG")
    assert (
        inspect_upload(upload("red.png", image.getvalue(), "image/png"), **LIMITS).content == image.getvalue()
    )


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\report.pdf", "report.pdf"),
        ("..", "file"),
        ("bad\x00name\x1b.pdf", "badname.pdf"),
        ("  spaced.pdf  ", "spaced.pdf"),
    ],
)
def test_file_names_lose_folders_and_control_characters(sent, kept):
    assert clean_file_name(sent) == kept


def test_a_name_with_folders_is_kept_without_them():
    assert inspect_upload(upload("../../etc/passwd.pdf", PDF_BYTES), **LIMITS).original_name == "passwd.pdf"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("hello.vbs", b'MsgBox "Hello"\r\nCreateObject("WScript.Shell").Run "calc"\r\n'),
        ("tool.js", b'var shell = new ActiveXObject("WScript.Shell");\nshell.Run("calc");\n'),
        ("setup.ps1", b"Write-Host 'hello'\nRemove-Item -Recurse C:\\Users\n"),
        ("settings.reg", b"REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\Software\\Waymark]\r\n"),
        ("tidy.bat", b"del /q C:\\Users\\Public\\*\r\n"),
        ("TIDY.CMD", b"del /q C:\\Users\\Public\\*\r\n"),
        ("run.sh", b"rm -rf ~/\n"),
        ("tool.py", b"import os\nos.remove('x')\n"),
        ("page.php", b"echo 1;\n"),
        ("report.pdf.exe", PDF_BYTES),
        ("x.bat.", b"del /q C:\\Users\\Public\\*\r\n"),
        ("x.bat . .", b"del /q C:\\Users\\Public\\*\r\n"),
        ("shortcut.LNK", b"L\x00\x00\x00 plain enough"),
        ("notes.txt.hta", b"just words\n"),
    ],
)
def test_script_and_program_names_are_refused_whatever_the_content_sniffer_says(name, content):
    with pytest.raises(UploadRefused, match=rf"“{re.escape(name)}” .*runs? .*when (it is )?opened"):
        inspect_upload(upload(name, content, "text/plain"), **LIMITS)


@pytest.mark.parametrize("name", ["notes.txt", "account.js.txt", "v1.2.txt", "Account", "README"])
def test_plain_text_with_a_harmless_last_extension_is_accepted(name):
    assert (
        inspect_upload(upload(name, b"What I did on placement.\n", "text/plain"), **LIMITS).extension
        == ".txt"
    )


@pytest.mark.parametrize(
    ("stored_as", "content_type", "offered_as"),
    [
        ("plan.pdf", "application/pdf", "plan.pdf"),
        ("team-board.jpg", "image/jpeg", "team-board.jpg"),
        ("team-board.JPEG", "image/jpeg", "team-board.jpg"),
        ("team-board.png", "image/jpeg", "team-board.jpg"),
        ("hello.vbs", "text/plain", "hello.txt"),
        ("tool.js", "text/plain", "tool.txt"),
        ("x.bat.", "text/plain", "x.txt"),
        ("x.bat . ", "text/plain", "x.txt"),
        ("report.pdf.exe", "application/pdf", "report.pdf"),
        ("notes.txt.vbs", "text/plain", "notes.txt"),
        ("v1.2", "text/plain", "v1.2.txt"),
        (
            "Account",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Account.docx",
        ),
        (".bashrc", "text/plain", "bashrc.txt"),
        ("...", "text/plain", "file.txt"),
        ("odd.bin", "application/x-unknown", "odd.bin"),
    ],
)
def test_a_file_is_only_ever_offered_under_its_checked_types_extension(stored_as, content_type, offered_as):
    assert safe_download_name(stored_as, content_type) == offered_as
