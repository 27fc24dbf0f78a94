"""Checking an upload by its whole content, never by its name or first bytes alone: one table
of the kinds we accept (KINDS, at the end), each with how it is recognised and how it is
verified.

Nothing here decodes more than the limits allow. A picture's size in pixels is read from its
header before a pixel is decoded, then the picture is decoded and re-encoded without its
metadata; a Word or Excel file's zip directory is checked before any part is inflated; a PDF's
structure is parsed by qpdf (pikepdf) with its memory bounded. Every refusal is an
UploadRejected whose message names the problem."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pikepdf
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from pikepdf.settings import set_qpdf_limits
from PIL import Image, ImageOps

from fundtracker.services.errors import DomainError

MiB = 1024 * 1024


class UploadRejected(DomainError):
    """An upload refused, with a message for the user naming the problem."""


@dataclass(frozen=True)
class Limits:
    """How far an upload may unpack; the app's come from its config (config.py)."""

    image_pixels: int = 40_000_000
    image_bytes: int = 15 * MiB
    zip_unpacked_bytes: int = 200 * MiB
    zip_ratio: int = 100
    zip_entries: int = 2000

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(
            image_pixels=int(config["UPLOAD_IMAGE_MAX_MEGAPIXELS"]) * 1_000_000,
            image_bytes=int(config["UPLOAD_IMAGE_MAX_MB"]) * MiB,
            zip_unpacked_bytes=int(config["UPLOAD_ZIP_MAX_UNPACKED_MB"]) * MiB,
            zip_ratio=int(config["UPLOAD_ZIP_MAX_RATIO"]),
            zip_entries=int(config["UPLOAD_ZIP_MAX_ENTRIES"]),
        )


def current_limits() -> Limits:
    return Limits.from_config(current_app.config) if has_app_context() else Limits()


# Bounds no real file comes near, so not settings.
MAX_FRAMES = 100  # an animated PNG or a multi-picture JPEG; only the first picture is kept
MAX_JPEG_SCANS = 100  # cameras write 1 (baseline) or about 10 (progressive)
RATIO_FLOOR = MiB  # a part smaller than this unpacked cannot hurt, whatever its ratio
PDF_STREAM_MEMORY = 64 * MiB  # for one stream qpdf inflates to read the structure
PDF_MAX_WARNINGS = 500

# qpdf's limits are process-wide; in the app pikepdf serves only this check.
set_qpdf_limits(flate_max_memory=PDF_STREAM_MEMORY, doc_max_warnings=PDF_MAX_WARNINGS)


@dataclass(frozen=True)
class Kind:
    mime: str
    extension: str
    signature: bytes  # recognised by its first bytes...
    verify: Callable[[Path, str, Limits, Kind], None]  # ...and accepted only if all check out
    # Word and Excel: the content type of the main part, which [Content_Types].xml must give
    # a part the zip holds (word/document.xml, xl/workbook.xml as Office writes them).
    main_type: bytes = b""
    image_format: str = ""  # pictures: Pillow's name of the format


@dataclass(frozen=True)
class Accept:
    """The kinds a form takes, and what to tell the user about any other file."""

    mimes: frozenset[str]
    refusal: Callable[[str], object]


def too_large(name: str, limit_bytes: int):
    return _l("%(name)s is larger than %(mb)d MB.", name=name, mb=limit_bytes // MiB)


def _hidden(name: str) -> UploadRejected:
    return UploadRejected(_l("%(name)s has another file hidden inside it.", name=name))


def _program(name: str) -> UploadRejected:
    return UploadRejected(_l("%(name)s contains a program, which cannot be uploaded.", name=name))


def _password(name: str) -> UploadRejected:
    return UploadRejected(
        _l("%(name)s is protected by a password: upload it without one.", name=name)
    )


# Pictures ---------------------------------------------------------------------------------------


def _verify_picture(path: Path, name: str, limits: Limits, kind: Kind) -> None:
    """What is stored is the picture re-encoded (see clean_image), in place of what came."""
    if path.stat().st_size > limits.image_bytes:
        raise UploadRejected(too_large(name, limits.image_bytes))
    path.write_bytes(clean_image(path.read_bytes(), name, limits, kind.image_format))


def clean_image(data: bytes, name: str, limits: Limits, image_format: str) -> bytes:
    """The picture re-encoded from its pixels only: no EXIF (camera, GPS location, time), XMP or
    comments, turned upright as the camera recorded. Refused, before any pixel is decoded, if
    its header gives more pixels or frames than the limits allow."""
    damaged = UploadRejected(
        _l("%(name)s is not a real JPEG or PNG picture: it cannot be read as one.", name=name)
    )
    too_many_pixels = UploadRejected(
        _l(
            "%(name)s is too large in pixels: a picture may have at most %(limit)d megapixels.",
            name=name,
            limit=limits.image_pixels // 1_000_000,
        )
    )
    # Cut short, as an interrupted upload is, a picture is refused: Pillow would fill in the rest
    # in grey, since WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES for the whole process.
    if image_format == "PNG" and b"IEND\xaeB`\x82" not in data:
        raise damaged
    if image_format == "JPEG" and not 0 < _jpeg_scans(data) <= MAX_JPEG_SCANS:
        raise damaged  # or each progressive scan would decode the whole picture again
    try:
        # Lazy: reads the header only; formats= keeps every other decoder away from the data.
        image = Image.open(io.BytesIO(data), formats=[image_format])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except Exception:  # a hostile file can break a parser in any way: all mean "cannot read"
        raise damaged from None
    with image:
        width, height = image.size
        if width * height > limits.image_pixels:
            raise too_many_pixels
        if getattr(image, "n_frames", 1) > MAX_FRAMES:
            raise UploadRejected(
                _l(
                    "%(name)s has more than %(limit)d frames: upload a single picture.",
                    name=name,
                    limit=MAX_FRAMES,
                )
            )
        try:
            return _reencode(image)
        except Exception:
            raise damaged from None


def _jpeg_scans(data: bytes) -> int:
    """How many scans the JPEG's first picture has, walking its markers up to its end marker;
    0 if it has none (what follows it, such as a phone's motion-photo video, is not read)."""
    scans, at = 0, 2  # after the start-of-image marker
    while at + 2 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xD9:
            return scans
        if marker == 0xFF or 0xD0 <= marker <= 0xD7:  # fill byte, restart marker
            at += 1 if marker == 0xFF else 2
            continue
        if at + 4 > len(data):
            return 0
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
        if marker != 0xDA:
            continue
        scans += 1
        # The scan's data runs to the next marker: 0xFF not followed by 0x00 (an escaped
        # byte), a restart marker or a fill byte.
        while (at := data.find(b"\xff", at)) >= 0 and at + 1 < len(data):
            following = data[at + 1]
            if following == 0 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                at += 1
                continue
            break
        else:
            return 0
    return 0


def _reencode(image: Image.Image) -> bytes:
    image.load()  # the first frame only, within the limits checked on the header
    ImageOps.exif_transpose(image, in_place=True)
    # Saving writes what the encoder is given, plus a JPEG comment found in info: keep only
    # the transparency, which is part of the picture.
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}
    out = io.BytesIO()
    if image.format == "PNG":
        # The fastest level: a 40-megapixel picture is re-encoded in seconds, not tens of them.
        image.save(out, "PNG", compress_level=1)
    else:
        still = image if image.mode in ("RGB", "L") else image.convert("RGB")
        still.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()


# Word and Excel ---------------------------------------------------------------------------------

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc and .xls, and password-protected .docx/.xlsx
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_DESCRIPTOR_SIZES = (12, 16, 20, 24)  # with or without signature, 32- or 64-bit sizes


def _not_office(name: str) -> UploadRejected:
    return UploadRejected(
        _l("%(name)s is not a real Word or Excel file: it cannot be read as one.", name=name)
    )


def _too_many_parts(name: str, limits: Limits) -> UploadRejected:
    return UploadRejected(
        _l("%(name)s has more than %(count)d parts.", name=name, count=limits.zip_entries)
    )


def _open_zip(path: Path, name: str, limits: Limits) -> zipfile.ZipFile:
    """The zip, once its end record shows a directory within the limits that ends the file
    (zipfile would read a directory of any size into memory), and the directory within the
    limits: nothing is inflated before that."""
    try:
        with path.open("rb") as f:
            end = zipfile._EndRecData(f)  # the standard library's own reader, zip64 included
    except Exception:
        raise _not_office(name) from None
    if end is None:
        raise _not_office(name)
    directory_size = end[zipfile._ECD_SIZE]
    if (
        end[zipfile._ECD_ENTRIES_TOTAL] > limits.zip_entries
        or directory_size > limits.zip_entries * 1024
    ):
        raise _too_many_parts(name, limits)
    directory_end = end[zipfile._ECD_LOCATION]
    if end[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64:
        directory_end -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator
    file_end = end[zipfile._ECD_LOCATION] + zipfile.sizeEndCentDir + end[zipfile._ECD_COMMENT_SIZE]
    if (
        end[zipfile._ECD_OFFSET] + directory_size != directory_end
        or file_end != path.stat().st_size
    ):
        raise _hidden(name)  # data before the first part or after the end record
    try:
        archive = zipfile.ZipFile(path)
    except Exception:
        raise _not_office(name) from None
    try:
        _check_directory(archive.infolist(), name, limits)
    except BaseException:
        archive.close()
        raise
    return archive


# An Override element of [Content_Types].xml, and its attributes.
_OVERRIDE = re.compile(rb"<(?:[\w.-]+:)?Override\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _declared_parts(content_types: bytes) -> dict[bytes, list[str]]:
    """Content type -> the part names [Content_Types].xml gives it, as the zip names them."""
    parts: dict[bytes, list[str]] = {}
    for override in _OVERRIDE.finditer(content_types):
        attributes = {
            key: double or single for key, double, single in _ATTRIBUTE.findall(override[1])
        }
        part = attributes.get(b"PartName", b"").decode("utf-8", "replace").lstrip("/")
        parts.setdefault(attributes.get(b"ContentType", b"").strip(), []).append(part)
    return parts


def _office_parts(archive: zipfile.ZipFile, name: str) -> dict[bytes, list[str]]:
    """The parts declared in [Content_Types].xml (read up to 1 MB) that the zip holds."""
    names = {_part_name(info.filename): info for info in archive.infolist()}
    types = names.get(_part_name("[Content_Types].xml"))
    if types is None:
        raise _not_office(name)
    try:
        with archive.open(types) as part:
            declared = _declared_parts(part.read(MiB))
    except Exception:
        raise _not_office(name) from None
    present = {
        content_type: [part for part in parts if _part_name(part) in names]
        for content_type, parts in declared.items()
    }
    return {content_type: parts for content_type, parts in present.items() if parts}


def _part_name(name: str) -> str:
    # Part names are case-insensitive; some writers separate folders with backslashes.
    return name.replace("\\", "/").lower()


def _office_kind(path: Path, name: str, limits: Limits, candidates: list[Kind]) -> Kind:
    """Word or Excel, by the main part its content types declare and its zip holds."""
    with _open_zip(path, name, limits) as archive:
        parts = _office_parts(archive, name)
    for kind in candidates:
        if kind.main_type in parts:
            return kind
    if any(b"macroEnabled" in content_type for content_type in parts):
        raise UploadRejected(
            _l(
                "%(name)s contains macros: save it as a .docx or .xlsx file without them.",
                name=name,
            )
        )
    raise _not_office(name)


def _verify_office(path: Path, name: str, limits: Limits, kind: Kind) -> None:
    """The directory within the limits; every byte of the file in a part; each part inflated,
    up to the size the directory declares, to check its CRC and that it is no program; the
    content types naming the format's main part, which the zip holds."""
    with _open_zip(path, name, limits) as archive:
        if kind.main_type not in _office_parts(archive, name):
            raise _not_office(name)
        try:
            with path.open("rb") as raw:
                _check_layout(raw, archive.infolist(), archive.start_dir, name)
            for info in archive.infolist():
                _read_part(archive, info, name)
        except UploadRejected:
            raise
        except Exception:  # a bad CRC, a broken deflate stream, a header that lies
            raise _not_office(name) from None


def _check_directory(infos: list[zipfile.ZipInfo], name: str, limits: Limits) -> None:
    """Checked on the directory alone: how many parts, their size unpacked and their ratio, and
    neither encryption nor a compression method Office does not use."""
    if len(infos) > limits.zip_entries:
        raise _too_many_parts(name, limits)
    if sum(info.file_size for info in infos) > limits.zip_unpacked_bytes:
        raise UploadRejected(
            _l(
                "%(name)s is a compressed file that expands to more than %(mb)d MB.",
                name=name,
                mb=limits.zip_unpacked_bytes // MiB,
            )
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise _password(name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _not_office(name)  # Office writes no other method
        if info.file_size > max(RATIO_FLOOR, limits.zip_ratio * info.compress_size):
            raise UploadRejected(
                _l(
                    "%(name)s contains a part that expands more than %(ratio)d times: it is "
                    "refused as a compression bomb.",
                    name=name,
                    ratio=limits.zip_ratio,
                )
            )


def _check_layout(raw: BinaryIO, infos: list[zipfile.ZipInfo], directory: int, name: str) -> None:
    """The parts follow one another from the first byte to the directory, with nothing between
    them and no two sharing data (overlapping parts make the densest zip bombs)."""
    expected = {0}
    for info in sorted(infos, key=lambda i: i.header_offset):
        if info.header_offset not in expected:
            raise _hidden(name)
        raw.seek(info.header_offset)
        header = raw.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size or not header.startswith(_ZIP):
            raise _not_office(name)
        name_length, extra_length = _LOCAL_HEADER.unpack(header)[9:]
        data_end = (
            info.header_offset + len(header) + name_length + extra_length + info.compress_size
        )
        expected = (
            {data_end + size for size in _DESCRIPTOR_SIZES} if info.flag_bits & 0x8 else {data_end}
        )
    if directory not in expected:
        raise _hidden(name)


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    # zipfile stops at the declared size, which the limits bound, and checks the CRC at the end.
    with archive.open(info) as part:
        if is_program(part.read(4096)):
            raise _program(name)
        while part.read(MiB):
            pass


# PDF --------------------------------------------------------------------------------------------

# Signatures of programs, long enough never to occur by chance in compressed data.
_PROGRAM = re.compile(
    rb"\x7fELF[\x01\x02][\x01\x02]\x01"  # ELF: class, byte order, version 1
    rb"|This program cannot be run in DOS mode"  # the stub of every Windows executable
    rb"|[\xce\xcf]\xfa\xed\xfe[\x07\x0c]\x00\x00[\x00\x01]"  # Mach-O, Intel or ARM
)
_MACH_O = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
_PDF_WHITESPACE = b"\x00\t\n\x0c\r "


def is_program(head: bytes) -> bool:
    """Whether data starting with `head` is an executable: ELF, Windows PE or Mach-O."""
    if head.startswith(b"MZ") and len(head) >= 0x40:
        offset = int.from_bytes(head[0x3C:0x40], "little")
        return head[offset : offset + 4] == b"PE\x00\x00"
    return bool(_PROGRAM.match(head)) or head[:4] in _MACH_O


def _verify_pdf(path: Path, name: str, limits: Limits, kind: Kind) -> None:
    """Nothing after the end of the PDF but whitespace, no program in it or at the start of any
    of its streams, no zip hidden in it, and a structure qpdf reads, with pages."""
    data = path.read_bytes()
    not_pdf = UploadRejected(_l("%(name)s is not a real PDF: it cannot be read as one.", name=name))
    if _PROGRAM.search(data):
        raise _program(name)
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise not_pdf
    if data[end + len(b"%%EOF") :].strip(_PDF_WHITESPACE):
        raise _hidden(name)
    if _hides_zip(data):
        raise _hidden(name)
    try:
        with pikepdf.open(path) as pdf:
            if len(pdf.pages) == 0:
                raise not_pdf
            streams = (obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream))
            if any(is_program(_stream_head(stream)) for stream in streams):
                raise _program(name)
    except pikepdf.PasswordError:
        raise _password(name) from None
    except UploadRejected:
        raise
    except Exception:  # qpdf refuses a broken structure in many ways: all mean "not a PDF"
        raise not_pdf from None


def _hides_zip(data: bytes) -> bool:
    """Whether a zip reader would find an archive in the file: an end record in the last 64 KiB
    pointing at a central directory."""
    start = data.rfind(b"PK\x05\x06", max(0, len(data) - 0x10000 - 22))
    if start < 0 or len(data) < start + 22:
        return False
    size, offset = struct.unpack_from("<LL", data, start + 12)
    return any(
        data[at : at + 4] == b"PK\x01\x02" for at in (offset, start - size) if 0 <= at < start
    )


def _stream_head(stream: pikepdf.Stream) -> bytes:
    """The first bytes of a stream as a reader would extract it, inflating no more than those;
    a stream under another filter than Flate (rare for an attached file) is not looked into."""
    raw = stream.read_raw_bytes()
    filters = stream.get("/Filter")
    if isinstance(filters, pikepdf.Array) and len(filters) == 1:
        filters = filters[0]
    if filters is None:
        return raw[:4096]
    if filters == pikepdf.Name.FlateDecode:
        try:
            return zlib.decompressobj().decompress(raw, 4096)
        except zlib.error:
            return b""
    return b""


# The table ---------------------------------------------------------------------------------------

PDF = Kind("application/pdf", ".pdf", b"%PDF-", _verify_pdf)
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
    _ZIP,
    _verify_office,
    main_type=b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
)
XLSX = Kind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsx",
    _ZIP,
    _verify_office,
    main_type=b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
)
JPEG = Kind("image/jpeg", ".jpg", b"\xff\xd8\xff", _verify_picture, image_format="JPEG")
PNG = Kind("image/png", ".png", b"\x89PNG\r\n\x1a\n", _verify_picture, image_format="PNG")
KINDS = {kind.mime: kind for kind in (PDF, DOCX, XLSX, JPEG, PNG)}

ANY = Accept(
    frozenset(KINDS),
    lambda name: _l("%(name)s is not a PDF, Word, Excel, JPEG or PNG file.", name=name),
)
PHOTOS = Accept(
    frozenset({JPEG.mime, PNG.mime}),
    lambda name: _l("%(name)s is not a JPEG or PNG photo.", name=name),
)


def check(path: Path, name: str, accept: Accept = ANY, limits: Limits | None = None) -> Kind:
    """The kind of the file at `path`, verified whole; a picture is replaced there by its clean
    re-encoding. Raises UploadRejected, and nothing else, for a file it does not accept."""
    limits = limits or current_limits()
    with path.open("rb") as f:
        head = f.read(16)
    candidates = [k for k in KINDS.values() if head.startswith(k.signature)]
    if not candidates and head.startswith(_OLE) and accept.mimes & {DOCX.mime, XLSX.mime}:
        raise UploadRejected(
            _l(
                "%(name)s is an old-format or password-protected Office file: save it as .docx "
                "or .xlsx without a password.",
                name=name,
            )
        )
    candidates = [k for k in candidates if k.mime in accept.mimes]
    if not candidates:
        raise UploadRejected(accept.refusal(name))
    kind = candidates[0]
    if kind.signature == _ZIP:  # Word and Excel share the zip signature
        kind = _office_kind(path, name, limits, candidates)
    kind.verify(path, name, limits, kind)
    return kind
