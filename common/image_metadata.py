"""Photos without anything that can say where they were taken.

A location can sit in many places besides the GPS block of the first Exif segment, the
only one Pillow reads: a second Exif segment, XMP, Photoshop/IPTC, a maker's own
segment, a comment, a second picture after the first (a multi-picture JPEG's, with its
own Exif), PNG text chunks, WebP's EXIF and XMP chunks, a GIF's comments and XMP
extension. So the file is walked segment by
segment (chunk by chunk) and only what is needed to show the picture is copied, from an
allow-list: the pixels are never re-encoded. Two things are put back, because without
them the photo is shown wrongly: the orientation (alone, in an Exif block of its own) and
the colour profile.
"""

import struct
import zlib

from PIL import ExifTags, Image

EXIF_HEADER = b"Exif\x00\x00"

# JPEG markers without a length: TEM, RST0-7 (SOI and EOI are handled on their own).
STANDALONE = {0x01, *range(0xD0, 0xD8)}
SOS, EOI, APP0, APP2, APP14 = 0xDA, 0xD9, 0xE0, 0xE2, 0xEE
# Frame (C0-CF less C4, C8, CC), Huffman (C4) and arithmetic-coding (CC) tables, start of
# scan, quantisation tables, line count, restart interval and hierarchical markers: what a
# decoder needs.
JPEG_DECODING = {*range(0xC0, 0xD0), SOS, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF} - {0xC8}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What a viewer needs to show a PNG or an animated PNG in the right colours; text, Exif,
# time stamps and any chunk Waymark does not know are left out.
PNG_KEPT = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
    b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT", b"cICP", b"mDCV", b"cLLI", b"mDCv", b"cLLi",
}  # fmt: skip

# WebP: the image, its alpha, animation and colour profile; never EXIF or "XMP ".
WEBP_KEPT = {b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
VP8X_EXIF, VP8X_XMP = 0x08, 0x04

# GIF: images, their timing, and the looping of an animation; never comments, plain text
# or any other application's extension (XMP sits in one).
GIF_EXTENSION, GIF_IMAGE, GIF_TRAILER = 0x21, 0x2C, 0x3B
GIF_GRAPHIC_CONTROL = 0xF9
GIF_APPLICATIONS_KEPT = {b"NETSCAPE2.0", b"ANIMEXTS1.0"}


class Unreadable(ValueError):
    """The file's structure is not what its format says it must be."""


def without_metadata(content: bytes, image_format: str, orientation: int | None) -> bytes:
    """``content`` with every metadata segment or chunk removed, the orientation (when it
    turns the picture) kept on its own; ``content`` itself when nothing was removed."""
    orientation = orientation if orientation in range(2, 9) else None
    if image_format in {"JPEG", "MPO"}:
        stripped = _jpeg(content, orientation)
    elif image_format == "PNG":
        stripped = _png(content, orientation)
    elif image_format == "WEBP":
        stripped = _webp(content, orientation)
    elif image_format == "GIF":
        stripped = _gif(content)
    else:
        return content
    return content if stripped == content else stripped


def _orientation_exif(orientation: int) -> bytes:
    """An Exif block (with its "Exif\\0\\0" header) holding the orientation and nothing else."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    return exif.tobytes()


def _jpeg(content: bytes, orientation: int | None) -> bytes:
    if content[:2] != b"\xff\xd8":
        raise Unreadable("no start of image")
    kept = [b"\xff\xd8"]
    orientation_written = orientation is None
    position, end = 2, len(content)
    while True:
        if position >= end or content[position] != 0xFF:
            raise Unreadable("a segment does not start with a marker")
        while position < end and content[position] == 0xFF:  # fill bytes before a marker
            position += 1
        if position >= end:
            raise Unreadable("cut off")
        marker = content[position]
        position += 1
        if marker == EOI:
            # Whatever follows (a second picture, a phone maker's trailer) is not kept.
            kept.append(b"\xff\xd9")
            return b"".join(kept)
        if marker in STANDALONE:
            kept.append(bytes([0xFF, marker]))
            continue
        length = int.from_bytes(content[position : position + 2], "big")
        if length < 2 or position + length > end:
            raise Unreadable("a segment runs past the end")
        payload = content[position + 2 : position + length]
        whole = content[position - 2 : position + length]
        position += length
        if not orientation_written and marker != APP0:
            # After the JFIF header, before everything else, where readers look for it.
            exif = EXIF_HEADER + _orientation_exif(orientation)[len(EXIF_HEADER) :]
            kept.append(b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif)
            orientation_written = True
        if _jpeg_segment_kept(marker, payload):
            kept.append(whole)
        if marker == SOS:
            scan_end = _end_of_scan(content, position)
            kept.append(content[position:scan_end])
            position = scan_end


def _jpeg_segment_kept(marker: int, payload: bytes) -> bool:
    if marker in JPEG_DECODING:
        return True
    if marker == APP0:
        return payload.startswith(b"JFIF\x00")
    if marker == APP2:
        return payload.startswith(b"ICC_PROFILE\x00")
    if marker == APP14:
        # Adobe's colour transform (how to read CMYK): twelve bytes, no room for more.
        return payload.startswith(b"Adobe") and len(payload) == 12
    # Every other APPn (Exif, XMP, Photoshop/IRB with IPTC, multi-picture index, makers'
    # own), comments and the reserved JPGn markers.
    return False


def _end_of_scan(content: bytes, position: int) -> int:
    """Where the entropy-coded data after a start of scan ends: at the first marker that
    is neither a stuffed zero byte, a restart marker nor a fill byte."""
    while True:
        found = content.find(b"\xff", position)
        if found < 0 or found + 1 >= len(content):
            raise Unreadable("the picture data is cut off")
        following = content[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            position = found + 2
        elif following == 0xFF:
            position = found + 1
        else:
            return found


def _png(content: bytes, orientation: int | None) -> bytes:
    if not content.startswith(PNG_SIGNATURE):
        raise Unreadable("no PNG signature")
    kept = [PNG_SIGNATURE]
    position = len(PNG_SIGNATURE)
    while True:
        if position + 12 > len(content):
            raise Unreadable("a chunk runs past the end")
        (length,) = struct.unpack(">I", content[position : position + 4])
        kind = content[position + 4 : position + 8]
        whole = content[position : position + 12 + length]
        if len(whole) != 12 + length:
            raise Unreadable("a chunk runs past the end")
        position += 12 + length
        if kind == b"IDAT" and orientation is not None:
            exif = _orientation_exif(orientation)[len(EXIF_HEADER) :]
            kept.append(
                struct.pack(">I", len(exif)) + b"eXIf" + exif + struct.pack(">I", zlib.crc32(b"eXIf" + exif))
            )
            orientation = None
        if kind in PNG_KEPT:
            kept.append(whole)
        if kind == b"IEND":
            return b"".join(kept)  # anything after the end is not kept


def _webp(content: bytes, orientation: int | None) -> bytes:
    if content[:4] != b"RIFF" or content[8:12] != b"WEBP":
        raise Unreadable("not a RIFF WebP file")
    end = min(len(content), 8 + int.from_bytes(content[4:8], "little"))
    chunks: list[tuple[bytes, bytes]] = []
    position = 12
    while position + 8 <= end:
        kind = content[position : position + 4]
        size = int.from_bytes(content[position + 4 : position + 8], "little")
        data = content[position + 8 : position + 8 + size]
        if len(data) != size:
            raise Unreadable("a chunk runs past the end")
        position += 8 + size + (size & 1)
        if kind in WEBP_KEPT:
            chunks.append((kind, data))
    extended = bool(chunks) and chunks[0][0] == b"VP8X"
    if extended:
        flags = chunks[0][1][0] & ~(VP8X_EXIF | VP8X_XMP)
        if orientation is not None:
            # Only the extended format can carry Exif; a simple WebP has no orientation.
            chunks.append((b"EXIF", _orientation_exif(orientation)[len(EXIF_HEADER) :]))
            flags |= VP8X_EXIF
        chunks[0] = (b"VP8X", bytes([flags]) + chunks[0][1][1:])
    body = b"".join(
        kind + len(data).to_bytes(4, "little") + data + (b"\x00" if len(data) & 1 else b"")
        for kind, data in chunks
    )
    return b"RIFF" + (len(body) + 4).to_bytes(4, "little") + b"WEBP" + body


def _gif(content: bytes) -> bytes:
    if content[:6] not in {b"GIF87a", b"GIF89a"} or len(content) < 13:
        raise Unreadable("no GIF header")
    flags = content[10]
    position = 13 + (3 << ((flags & 0x07) + 1) if flags & 0x80 else 0)  # the global colour table
    kept = [content[:position]]
    while True:
        if position >= len(content):
            raise Unreadable("no GIF trailer")
        introducer = content[position]
        if introducer == GIF_TRAILER:
            kept.append(b"\x3b")
            return b"".join(kept)  # anything after the end is not kept
        if introducer == GIF_EXTENSION:
            label = content[position + 1]
            end = _end_of_sub_blocks(content, position + 2)
            application = content[position + 3 : position + 14] if content[position + 2] == 11 else b""
            if label == GIF_GRAPHIC_CONTROL or (label == 0xFF and application in GIF_APPLICATIONS_KEPT):
                kept.append(content[position:end])
        elif introducer == GIF_IMAGE:
            descriptor_flags = content[position + 9] if position + 9 < len(content) else 0
            table = 3 << ((descriptor_flags & 0x07) + 1) if descriptor_flags & 0x80 else 0
            # The descriptor, its local colour table, the LZW code size, then the data.
            end = _end_of_sub_blocks(content, position + 10 + table + 1)
            kept.append(content[position:end])
        else:
            raise Unreadable("an unknown GIF block")
        position = end


def _end_of_sub_blocks(content: bytes, position: int) -> int:
    """Where a run of GIF data sub-blocks (each a length byte, then that many bytes)
    ends, after its terminating empty block."""
    while True:
        if position >= len(content):
            raise Unreadable("the GIF data is cut off")
        size = content[position]
        position += 1 + size
        if size == 0:
            return position
