"""Files for the upload tests, sound and hostile, built in memory: the bombs are small on disk
and never expanded here (their compressed data repeats one block, so nothing big is built)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pikepdf
from openpyxl import Workbook
from PIL import Image

MiB = 1024 * 1024

# The start of a 64-bit Linux executable (class 2, little-endian, version 1, x86-64).
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + bytes(300)


# The smallest sound PDF: a catalog, a page tree and one page, with its cross-reference table.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>\n"
    b"endobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    b"0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n203\n%%EOF\n"
)


def pdf(pages: int = 1, **save) -> bytes:
    document = pikepdf.new()
    for _ in range(pages):
        document.add_blank_page()
    out = io.BytesIO()
    document.save(out, **save)
    return out.getvalue()


def pdf_with_attachment(content: bytes, **save) -> bytes:
    document = pikepdf.new()
    document.add_blank_page()
    document.attachments["tool"] = pikepdf.AttachedFileSpec(document, content)
    out = io.BytesIO()
    document.save(out, compress_streams=True, **save)
    return out.getvalue()


def jpeg(size=(64, 48), exif: Image.Exif | None = None, **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "JPEG", exif=exif or Image.Exif(), **save)
    return out.getvalue()


def png(size=(64, 48), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG", **save)
    return out.getvalue()


def xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "Бюджет"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def docx(main: str = DOCX_MAIN, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Word document, as Word lays one out."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=main))
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Акт</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def _zeros_deflated(size: int, block: int = MiB) -> tuple[bytes, int, int]:
    """Raw deflate data for `size` zero bytes, with their CRC-32 and Adler-32, without building
    them: after a full flush the compressor starts afresh, so every block compresses to the
    same bytes."""
    whole, rest = divmod(size, block)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = chunk * whole + compressor.compress(bytes(rest)) + compressor.flush()
    crc, adler, zeros = 0, 1, bytes(block)
    for _ in range(whole):
        crc, adler = zlib.crc32(zeros, crc), zlib.adler32(zeros, adler)
    return data, zlib.crc32(bytes(rest), crc), zlib.adler32(bytes(rest), adler)


def zip_of(entries: list[tuple[str, bytes, int, int, int]], flags: int = 0) -> bytes:
    """A zip written field by field: (name, stored data, method, CRC, size unpacked)."""
    out = io.BytesIO()
    directory = io.BytesIO()
    for name, data, method, crc, size in entries:
        offset = out.tell()
        encoded = name.encode()
        out.write(
            struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                20,
                flags,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
            )
            + encoded
            + data
        )
        directory.write(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                flags,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    count = len(entries)
    out.write(directory.getvalue())
    out.write(
        struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory.getvalue()), start, 0
        )
    )
    return out.getvalue()


def deflated(data: bytes) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def zip_bomb(unpacked: int = 1024 * MiB, first: str = "word/document.xml") -> bytes:
    """About 1 MB that expands to `unpacked` bytes, its first part named as a Word (or Excel)
    document's, followed by the parts a real one has."""
    data, crc, _ = _zeros_deflated(unpacked)
    types, types_crc, types_size = deflated(CONTENT_TYPES.format(main=DOCX_MAIN).encode())
    return zip_of(
        [
            (first, data, zipfile.ZIP_DEFLATED, crc, unpacked),
            ("[Content_Types].xml", types, zipfile.ZIP_DEFLATED, types_crc, types_size),
        ]
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">L", len(data)) + kind + data + struct.pack(">L", zlib.crc32(kind + data))


def png_bomb(width: int = 13_000, height: int = 13_000) -> bytes:
    """A valid RGB PNG of width × height black pixels, small on disk: 13,000 × 13,000 is half
    a gigabyte decoded, in a file of about 500 KB."""
    row = 1 + width * 3  # the filter byte, then the pixels
    deflated_rows, _, adler = _zeros_deflated(row * height, block=row * 100)
    idat = b"\x78\xda" + deflated_rows + struct.pack(">L", adler)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">LLBBBBB", width, height, 8, 2, 0, 0, 0))
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )
