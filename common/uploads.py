"""What Waymark accepts as an evidence file, decided from the file's content.

A file's name and the browser's stated type are the uploader's claims; only the bytes
count. Anything that a browser could run (HTML, SVG, scripts, programs) is refused
whatever it is called, images are checked for the canvas they declare before a pixel
is decoded, and photos lose their location before they are stored.
"""

import hashlib
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

import magic
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from common.errors import Refused
from common.image_metadata import Unreadable, without_metadata

# Content type → (extension stored, what people call it).
ACCEPTED_TYPES: dict[str, tuple[str, str]] = {
    "application/pdf": (".pdf", "PDF"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx", "Word"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx", "Excel"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx", "PowerPoint"),
    "application/vnd.oasis.opendocument.text": (".odt", "OpenDocument text"),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods", "OpenDocument spreadsheet"),
    "application/vnd.oasis.opendocument.presentation": (".odp", "OpenDocument presentation"),
    "text/plain": (".txt", "plain text"),
    "text/csv": (".csv", "CSV"),
    "image/jpeg": (".jpg", "JPEG"),
    "image/png": (".png", "PNG"),
    "image/gif": (".gif", "GIF"),
    "image/webp": (".webp", "WebP"),
    "audio/mpeg": (".mp3", "MP3"),
    "video/mp4": (".mp4", "MP4"),
    "video/quicktime": (".mov", "QuickTime"),
}
ACCEPTED_DESCRIPTION = (
    "PDF, Word, Excel, PowerPoint, OpenDocument, plain text or CSV documents; JPEG, PNG, GIF or "
    "WebP images; MP3 audio; MP4 or QuickTime video"
)
# Types a browser would run: refused with their own explanation, whatever their name.
SCRIPTABLE_TYPES = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
    "text/x-shellscript",
}
PROGRAM_TYPES = {
    "application/x-dosexec",
    "application/x-executable",
    "application/x-sharedlib",
    "application/x-pie-executable",
    "application/x-mach-binary",
    "application/x-msi",
    "application/vnd.microsoft.portable-executable",
}
# Office Open XML and OpenDocument files are zip archives; libmagic names some of them
# only "zip", so the archive's own table of contents decides.
OFFICE_MARKERS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# Names that run, install or open something that runs when double-clicked, on Windows,
# macOS or Linux: refused whatever the content is, because libmagic calls a script
# without a tell-tale first line (a .vbs, a .bat without "@echo") plain text, and a file
# saved under such a name runs however it was checked. Based on the attachments Outlook
# blocks, with the Unix and web counterparts.
EXECUTABLE_EXTENSIONS = frozenset(
    " ".join(
        [
            # Windows programs, installers, libraries and control-panel items
            "exe com scr pif cpl dll ocx sys drv msi msp mst msix msixbundle appx appxbundle",
            "application appref-ms gadget xbap vsto diagcab msc",
            # Windows scripts and script hosts
            "bat cmd vb vbs vbe vbscript js jse wsf wsh ws wsc sct ps1 ps1xml ps2 ps2xml psc1",
            "psc2 psd1 psm1 msh msh1 msh2 mshxml msh1xml msh2xml",
            # What opens something that runs: the registry, shortcuts, help, HTML applications,
            # Access databases, Excel add-ins
            "reg lnk url website scf shb shs inf ins isp hta chm hlp job library-ms",
            "searchconnector-ms settingcontent-ms mde ade adp accde mda mdz xll",
            # Disk images and packages that mount or install
            "iso img vhd vhdx cab dmg pkg mpkg deb rpm apk appimage run snap flatpakref",
            # Java and macOS
            "jar jnlp class app command tool workflow action applescript scpt scptd",
            # Unix shells and interpreters, server pages; certificates, which install
            "sh bash zsh csh tcsh ksh fish desktop py pyc pyo pyw pyz pyzw pl pm cgi rb php",
            "php3 php4 php5 php7 phtml phar lua tcl awk jsp jspx asp aspx asa asax cer crt der",
            # Web pages and drawings, which a browser runs scripts in
            "htm html xhtml xht shtml mht mhtml svg svgz xml xsl xslt",
        ]
    ).split()
)
TRAILING_DOTS_AND_SPACES = re.compile(r"[\s.]+$")


class UploadRefused(Refused):
    """A file Waymark will not store, with the reason in words for the person uploading it."""


@dataclass(frozen=True)
class InspectedUpload:
    """A file that passed inspection, as it will be stored."""

    original_name: str
    content_type: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def extension(self) -> str:
        return ACCEPTED_TYPES[self.content_type][0]


def clean_file_name(name: str) -> str:
    """The last part of a name as sent, without folders (``../``), control characters or
    surrounding spaces: what the file is shown as, never a path."""
    last_part = PurePosixPath(name.replace("\\", "/")).name
    printable = "".join(c for c in last_part if unicodedata.category(c)[0] != "C").strip()
    if printable in {"", ".", ".."}:
        return "file"
    stem, dot, suffix = printable.rpartition(".")
    if len(printable) > 200:
        printable = f"{stem[: 190 - len(suffix)]}{dot}{suffix}" if dot else printable[:200]
    return printable


def final_extension(name: str) -> str:
    """The extension a desktop would go by, lower case and without its dot: Windows ignores
    trailing dots and spaces, so "x.bat. " is a .bat file."""
    _, dot, suffix = TRAILING_DOTS_AND_SPACES.sub("", name).rpartition(".")
    return suffix.lower() if dot else ""


def refuse_executable_name(name: str) -> None:
    """``UploadRefused`` if ``name`` would run when opened, whatever the file holds. Only
    the last extension counts, as it does for the desktop: "report.pdf.exe" is a
    program, "notes.js.txt" is text."""
    extension = final_extension(name)
    if extension in EXECUTABLE_EXTENSIONS:
        raise UploadRefused(
            f"“{name}” has a name ending in .{extension}, which is a program or script that runs "
            "when it is opened, so Waymark does not accept it whatever it contains. If it is a "
            "document, save it as a PDF or plain text (.txt) and upload that."
        )


def inspect_upload(upload: UploadedFile, *, max_bytes: int, max_pixels: int) -> InspectedUpload:
    """The file as Waymark will store it, or ``UploadRefused`` saying why not."""
    name = clean_file_name(upload.name or "")
    if upload.size is not None and upload.size > max_bytes:
        raise UploadRefused(
            f"“{name}” is {filesizeformat(upload.size)}; a file can be at most {filesizeformat(max_bytes)}."
        )
    upload.seek(0)
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise UploadRefused(f"“{name}” is larger than {filesizeformat(max_bytes)}, the most a file can be.")
    if not content:
        raise UploadRefused(f"“{name}” is empty (0 bytes). Check it is the file you meant and try again.")
    content_type = _content_type(name, content)
    if content_type.startswith("image/"):
        content = _checked_image(name, content, max_pixels=max_pixels)
    return InspectedUpload(
        original_name=name,
        content_type=content_type,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _content_type(name: str, content: bytes) -> str:
    detected = magic.from_buffer(content, mime=True)
    if detected in {"application/zip", "application/octet-stream"}:
        detected = _office_type(content) or detected
    if detected in SCRIPTABLE_TYPES:
        raise UploadRefused(
            f"“{name}” is a web page or drawing ({detected}) that can carry scripts, so Waymark does "
            "not accept it. Save or print it as a PDF and upload that instead."
        )
    if detected in PROGRAM_TYPES:
        raise UploadRefused(
            f"“{name}” is a program, not a document, whatever its name says. Waymark does not "
            "accept programs."
        )
    # After the content's own refusals, which say more about a web page or a program.
    refuse_executable_name(name)
    if detected not in ACCEPTED_TYPES:
        raise UploadRefused(
            f"“{name}” is not a type of file Waymark accepts (its content is {detected}, whatever "
            f"its name says). Waymark accepts {ACCEPTED_DESCRIPTION}."
        )
    return detected


def _office_type(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", errors="replace").strip()
                return declared if declared in ACCEPTED_TYPES else None
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    if "[Content_Types].xml" not in names or any(n.endswith("vbaProject.bin") for n in names):
        return None
    return next((kind for marker, kind in OFFICE_MARKERS.items() if marker in names), None)


def _checked_image(name: str, content: bytes, *, max_pixels: int) -> bytes:
    too_large = UploadRefused(
        f"“{name}” declares an image too large to open safely: more than "
        f"{max_pixels:,} pixels. Resize it (a photo of 4,000 × 3,000 is plenty) and upload it again."
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(BytesIO(content)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise UploadRefused(
                        f"“{name}” declares {width:,} × {height:,} pixels; an image can have at most "
                        f"{max_pixels:,} pixels. Resize it and upload it again."
                    )
                image.verify()
            return without_location(content)
    except Image.DecompressionBombError:
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise UploadRefused(f"“{name}” could not be read as an image: it may be damaged.") from error


def without_location(content: bytes) -> bytes:
    """The image without any metadata that can hold where it was taken (every Exif, XMP,
    IPTC and comment segment, text chunks, a second picture), its pixels as they were;
    see ``common.image_metadata``."""
    with Image.open(BytesIO(content)) as image:
        image_format, size = image.format, image.size
        orientation = image.getexif().get(ExifTags.Base.Orientation)
    stripped = without_metadata(content, image_format, orientation)
    if stripped is not content:
        # What is stored must still be the same picture, whole.
        with Image.open(BytesIO(stripped)) as image:
            if image.size != size or (image.format == "JPEG" and not image.tile):
                raise Unreadable("the picture did not survive")
            if image.format == "WEBP":
                image.load()  # WebP has no check short of decoding
            else:
                image.verify()
    return stripped


PRINT_SIZE = (1600, 1600)


def print_rendition(content: bytes) -> bytes:
    """The image as a moderation bundle prints it: upright, no bigger than print needs,
    as a JPEG a PDF can carry without re-encoding."""
    with Image.open(BytesIO(content)) as image:
        image.seek(0)
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail(PRINT_SIZE)
        if upright.mode != "RGB":
            background = Image.new("RGB", upright.size, "white")
            rgba = upright.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            upright = background
        printable = BytesIO()
        upright.save(printable, "JPEG", quality=85)
        return printable.getvalue()
