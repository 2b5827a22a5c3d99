"""The few PDF objects the bundle writes itself, beside what WeasyPrint lays out: the
page numbers of references, and the labels of parts."""

from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

A4_HEIGHT, A4_WIDTH = 841.89, 595.28


def helvetica() -> DictionaryObject:
    """One of the standard fonts every PDF reader has, so that nothing is embedded."""
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def content_stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream
