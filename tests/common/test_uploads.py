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

from common.uploads import UploadRefused, clean_file_name, inspect_upload
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


def test_a_photos_location_goes_with_the_rest_of_its_exif_and_the_picture_is_not_re_encoded():
    original = photo_with_location()
    inspected = inspect_upload(upload("site.jpg", original, "image/jpeg"), **LIMITS)
    assert not Image.open(io.BytesIO(inspected.content)).getexif()
    assert b"Phone" not in inspected.content
    assert pixels(inspected.content) == pixels(original)
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


# A place only the photo's metadata could give away: it must not reach storage.
PLACE = "Blaenau Ffestiniog"
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (52.0, 59.0, 36.0),
    ExifTags.GPS.GPSLongitudeRef: "W",
    ExifTags.GPS.GPSLongitude: (3.0, 56.0, 24.0),
}
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
    f' exif:GPSLatitude="52,59.6N" exif:GPSLongitude="3,56.4W" photoshop:City="{PLACE}"/>'
    "</rdf:RDF></x:xmpmeta>"
).encode()


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def exif_payload(**tags) -> bytes:
    exif = Image.Exif()
    for tag, value in tags.items():
        exif[getattr(ExifTags.Base, tag, None) or getattr(ExifTags.IFD, tag)] = value
    return exif.tobytes()


def icc_profile() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def photo_with_location_in_every_segment() -> bytes:
    """A JPEG whose first Exif segment is harmless (the camera, and the orientation to
    keep), and whose location sits where a single-Exif reader does not look: a second Exif
    segment, XMP, Photoshop/IPTC, an APP4, a comment, and a second picture after the end."""
    image = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(
        image, "JPEG", quality=90, icc_profile=icc_profile(), exif=exif_payload(Make="Phone", Orientation=6)
    )
    jpeg = image.getvalue()
    first_app1 = jpeg.index(b"\xff\xe1")
    after_first_app1 = first_app1 + 2 + int.from_bytes(jpeg[first_app1 + 2 : first_app1 + 4], "big")
    hidden = b"".join(
        [
            segment(0xE1, exif_payload(GPSInfo=GPS, ImageDescription=f"Taken at {PLACE}")),
            segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP),
            segment(
                0xED,
                b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x16\x1c\x02\x5a\x00\x12" + PLACE.encode(),
            ),
            segment(0xE4, f"vendor data: {PLACE}".encode()),
            segment(0xFE, f"Taken at {PLACE}".encode()),
        ]
    )
    second = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(second, "JPEG", exif=exif_payload(GPSInfo=GPS, Artist=PLACE))
    return jpeg[:after_first_app1] + hidden + jpeg[after_first_app1:] + second.getvalue()


def assert_no_location(stored: bytes):
    assert PLACE.encode() not in stored
    assert b"GPSLatitude" not in stored and b"52,59.6N" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert ExifTags.IFD.GPSInfo not in image.getexif()


def pixels(content: bytes) -> bytes:
    with Image.open(io.BytesIO(content)) as image:
        return image.convert("RGBA").tobytes()


def test_every_jpeg_segment_that_can_carry_a_location_is_removed():
    original = photo_with_location_in_every_segment()
    assert original.count(b"Exif\x00\x00") == 3

    stored = inspect_upload(upload("site.jpg", original, "image/jpeg"), **LIMITS).content

    assert_no_location(stored)
    assert b"\x88\x25" not in stored and b"\x25\x88" not in stored  # the GPS IFD's tag
    assert b"Phone" not in stored and b"Photoshop" not in stored and b"http://ns.adobe.com" not in stored
    assert stored.count(b"\xff\xd8") == 1 and stored.endswith(b"\xff\xd9")
    with Image.open(io.BytesIO(stored)) as image:
        assert image.getexif()[ExifTags.Base.Orientation] == 6  # still shown upright
        assert image.info["icc_profile"] == icc_profile()  # and in the right colours
    assert pixels(stored) == pixels(original)  # not re-encoded


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@pytest.mark.parametrize("with_xmp_and_gps", [True, False])
def test_png_text_xmp_exif_and_private_chunks_are_removed(with_xmp_and_gps):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Location", PLACE)
    info.add_text("Comment", f"Taken at {PLACE}", zip=True)
    exif = {"Orientation": 3}
    if with_xmp_and_gps:
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        exif["GPSInfo"] = GPS
    image = io.BytesIO()
    Image.new("RGB", (20, 10), "navy").save(
        image, "PNG", pnginfo=info, exif=exif_payload(**exif), icc_profile=icc_profile()
    )
    iend = image.getvalue().rindex(b"IEND") - 4
    original = image.getvalue()[:iend] + png_chunk(b"prVt", PLACE.encode()) + image.getvalue()[iend:]

    stored = inspect_upload(upload("site.png", original, "image/png"), **LIMITS).content

    assert_no_location(stored)
    for kind in [b"tEXt", b"zTXt", b"iTXt", b"prVt"]:
        assert kind not in stored
    with Image.open(io.BytesIO(stored)) as shown:
        assert shown.getexif()[ExifTags.Base.Orientation] == 3
        assert shown.info["icc_profile"] == icc_profile()
    assert pixels(stored) == pixels(original)


def test_webp_exif_and_xmp_chunks_are_removed():
    image = io.BytesIO()
    Image.new("RGB", (20, 10), "olive").save(
        image, "WEBP", lossless=True, exif=exif_payload(GPSInfo=GPS, ImageDescription=PLACE), xmp=XMP
    )
    original = image.getvalue()
    assert b"EXIF" in original and b"XMP " in original

    stored = inspect_upload(upload("site.webp", original, "image/webp"), **LIMITS).content

    assert_no_location(stored)
    assert b"EXIF" not in stored and b"XMP " not in stored
    assert int.from_bytes(stored[4:8], "little") == len(stored) - 8
    assert pixels(stored) == pixels(original)


def test_gif_comments_and_xmp_are_removed_and_the_animation_kept():
    frames = [Image.new("RGB", (12, 8), colour) for colour in ("red", "blue")]
    image = io.BytesIO()
    frames[0].save(image, "GIF", save_all=True, append_images=frames[1:], loop=0, comment=f"Taken at {PLACE}")
    content = image.getvalue()
    # An XMP packet in an application extension, as Photoshop writes it, before the trailer.
    xmp = b"".join(
        bytes([len(piece)]) + piece for piece in (XMP[i : i + 255] for i in range(0, len(XMP), 255))
    )
    original = content[:-1] + b"\x21\xff\x0bXMP DataXMP" + xmp + b"\x00" + content[-1:]
    assert PLACE.encode() in original

    stored = inspect_upload(upload("site.gif", original, "image/gif"), **LIMITS).content

    assert PLACE.encode() not in stored and b"XMP DataXMP" not in stored
    with Image.open(io.BytesIO(stored)) as shown, Image.open(io.BytesIO(original)) as before:
        assert shown.n_frames == before.n_frames == 2
        assert shown.info.get("loop") == 0
        for frame in range(2):
            shown.seek(frame), before.seek(frame)
            assert shown.convert("RGBA").tobytes() == before.convert("RGBA").tobytes()
