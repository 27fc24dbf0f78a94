"""The upload checker against the attacks it exists for: a picture that decodes to gigabytes, a
PDF carrying a program, a zip that expands a thousandfold; and fuzzed against random and
truncated files of every kind it accepts, which it refuses with a message and nothing else."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from fundtracker.core.extensions import db
from fundtracker.core.storage import file_storage
from fundtracker.models import FileKind, StoredFile
from fundtracker.services import files, uploads
from fundtracker.services.uploads import Limits, UploadRejected
from tests import factories
from tests import hostile_files as hostile

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _check(tmp_path: Path, content: bytes, name="upload", accept=uploads.ANY, limits=None):
    path = tmp_path / "upload"
    path.write_bytes(content)
    return uploads.check(path, name, accept, limits or Limits())


def _refusal(tmp_path, content, **kw) -> str:
    with pytest.raises(UploadRejected) as refused:
        _check(tmp_path, content, name="x", **kw)
    return str(refused.value.message)


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if a single pixel of an opened picture is decoded."""

    def load(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


# What is accepted --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "mime"),
    [
        (hostile.pdf(), "application/pdf"),
        (hostile.MINIMAL_PDF, "application/pdf"),
        (hostile.pdf(encryption=pikepdf.Encryption(user="", owner="fund")), "application/pdf"),
        (hostile.docx(), DOCX),
        (hostile.xlsx(), XLSX),
        (hostile.jpeg(), "image/jpeg"),
        (hostile.png(), "image/png"),
    ],
    ids=["pdf", "minimal-pdf", "pdf-with-owner-password", "docx", "xlsx", "jpeg", "png"],
)
def test_each_accepted_kind_passes_when_sound(tmp_path, content, mime):
    assert _check(tmp_path, content).mime == mime


def test_the_limits_are_the_apps_config(app):
    limits = uploads.current_limits()
    assert limits.image_pixels == app.config["UPLOAD_IMAGE_MAX_MEGAPIXELS"] * 1_000_000 > 0
    assert limits.zip_unpacked_bytes == app.config["UPLOAD_ZIP_MAX_UNPACKED_MB"] * 1024 * 1024
    assert limits.zip_ratio == app.config["UPLOAD_ZIP_MAX_RATIO"]
    assert limits.zip_entries == app.config["UPLOAD_ZIP_MAX_ENTRIES"]


# Pictures -----------------------------------------------------------------------------------------


def test_the_13000_pixel_square_png_bomb_is_refused_on_its_header(tmp_path, no_decoding):
    bomb = hostile.png_bomb(13_000, 13_000)
    assert len(bomb) < 1024 * 1024  # small on disk, 507 MB decoded
    message = _refusal(tmp_path, bomb)
    assert message == "x is too large in pixels: a picture may have at most 40 megapixels."


def test_the_pixel_limit_is_the_configured_one(tmp_path, no_decoding):
    limits = Limits(image_pixels=1_000_000)
    message = _refusal(tmp_path, hostile.png_bomb(1001, 1000), limits=limits)
    assert "at most 1 megapixels" in message


def test_a_picture_over_the_byte_limit_is_refused_before_it_is_opened(tmp_path, no_decoding):
    limits = Limits(image_bytes=1024 * 1024)
    big = hostile.png((1200, 1200), mode="RGB", compress_level=0)
    assert len(big) > 1024 * 1024
    assert _refusal(tmp_path, big, limits=limits) == "x is larger than 1 MB."


def test_a_jpeg_with_thousands_of_scans_is_refused_before_decoding(tmp_path, no_decoding):
    progressive = hostile.jpeg((64, 48), progressive=True)
    last_scan = progressive.rindex(b"\xff\xda")
    # The last scan repeated: each would make the decoder go over the whole picture again.
    bomb = progressive[:last_scan] + progressive[last_scan:-2] * 2000 + b"\xff\xd9"
    assert "is not a real JPEG or PNG picture" in _refusal(tmp_path, bomb)


def test_an_animation_of_many_frames_is_refused_on_its_header(tmp_path, no_decoding):
    frames = [Image.new("L", (4, 4), i) for i in range(uploads.MAX_FRAMES + 1)]
    out = io.BytesIO()
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])
    message = _refusal(tmp_path, out.getvalue())
    assert message == "x has more than 100 frames: upload a single picture."


def test_a_kept_picture_is_re_encoded_upright_without_its_metadata(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; the picture is shown rotated
    exif[0x010F] = "PhoneMaker"
    photo = hostile.jpeg((64, 48), exif=exif, comment=b"Almaty, Abay St 10")
    path = tmp_path / "photo"
    path.write_bytes(photo)
    assert uploads.check(path, "photo.jpg").mime == "image/jpeg"
    kept = path.read_bytes()
    assert b"PhoneMaker" not in kept and b"Abay" not in kept
    with Image.open(path) as image:
        assert image.size == (48, 64)
        assert not image.getexif()


def test_a_palette_png_keeps_its_colours_and_transparency(tmp_path):
    image = Image.new("P", (8, 8), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)
    path = tmp_path / "logo"
    path.write_bytes(out.getvalue())
    uploads.check(path, "logo.png")
    with Image.open(path) as kept:
        assert kept.convert("RGBA").getpixel((0, 0)) == (255, 0, 0, 255)
        assert kept.info.get("transparency") == 0


def test_a_motion_photo_is_kept_as_its_picture(tmp_path):
    # Phones append a short video after the picture's end; its bytes may look like markers.
    photo = hostile.jpeg((64, 48), progressive=True)
    video = b"\x00\x00\x00\x18ftypmp42" + b"\xff\xda\x00\x08" * 100 + bytes(range(256)) * 40
    path = tmp_path / "motion"
    path.write_bytes(photo + video)
    assert uploads.check(path, "motion.jpg").mime == "image/jpeg"
    assert b"ftypmp42" not in path.read_bytes()


@pytest.mark.parametrize("make", [hostile.jpeg, hostile.png], ids=["jpeg", "png"])
def test_a_truncated_picture_is_refused(tmp_path, make):
    picture = make((640, 480))
    message = _refusal(tmp_path, picture[: len(picture) * 3 // 4])
    assert message == "x is not a real JPEG or PNG picture: it cannot be read as one."


# PDFs --------------------------------------------------------------------------------------------


def test_the_pdf_elf_polyglot_is_refused(tmp_path):
    assert _refusal(tmp_path, b"%PDF-1.7\n" + hostile.ELF) == (
        "x contains a program, which cannot be uploaded."
    )


def test_a_program_appended_after_a_sound_pdf_is_refused(tmp_path):
    assert "contains a program" in _refusal(tmp_path, hostile.pdf() + hostile.ELF)


def test_a_pdf_with_a_program_attached_inside_is_refused(tmp_path):
    carrier = hostile.pdf_with_attachment(hostile.ELF + bytes(10_000))
    assert b"\x7fELF" not in carrier  # compressed: only a reader of the structure sees it
    assert "contains a program" in _refusal(tmp_path, carrier)


def test_a_zip_hidden_after_the_end_of_a_pdf_is_refused(tmp_path):
    assert _refusal(tmp_path, hostile.pdf() + hostile.docx()) == (
        "x has another file hidden inside it."
    )


def test_a_pdf_that_does_not_parse_is_refused(tmp_path):
    fake = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert _refusal(tmp_path, fake) == "x is not a real PDF: it cannot be read as one."


def test_a_pdf_that_needs_a_password_to_open_is_refused(tmp_path):
    locked = hostile.pdf(encryption=pikepdf.Encryption(user="secret", owner="secret"))
    assert _refusal(tmp_path, locked) == ("x is protected by a password: upload it without one.")


# Word and Excel ----------------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["word/document.xml", "xl/workbook.xml"])
def test_the_1_mb_zip_that_expands_to_1_gib_is_refused_on_its_directory(
    tmp_path, monkeypatch, first
):
    bomb = hostile.zip_bomb(1024 * 1024 * 1024, first=first)
    assert len(bomb) < 1.1 * 1024 * 1024
    assert zipfile.ZipFile(io.BytesIO(bomb)).infolist()[0].filename == first

    def read(*args, **kwargs):
        raise AssertionError("a part was inflated")

    monkeypatch.setattr(zipfile.ZipFile, "open", read)
    message = _refusal(tmp_path, bomb)
    assert message == "x is a compressed file that expands to more than 200 MB."


def test_a_part_compressed_beyond_the_ratio_is_refused(tmp_path):
    bomb = hostile.zip_bomb(64 * 1024 * 1024)  # under the total, but about 1000 to 1
    assert "expands more than 100 times" in _refusal(tmp_path, bomb)


def test_too_many_parts_are_refused(tmp_path):
    entries = [("[Content_Types].xml", *hostile.deflated(b"<Types/>"))]
    entries += [(f"word/p{i}.xml", *hostile.deflated(b"<p/>")) for i in range(30)]
    crafted = hostile.zip_of(
        [(name, data, zipfile.ZIP_DEFLATED, crc, size) for name, data, crc, size in entries]
    )
    message = _refusal(tmp_path, crafted, limits=Limits(zip_entries=20))
    assert message == "x has more than 20 parts."


def test_an_encrypted_part_is_refused(tmp_path):
    data, crc, size = hostile.deflated(b"<w:document/>")
    crafted = hostile.zip_of([("word/document.xml", data, zipfile.ZIP_DEFLATED, crc, size)], 1)
    assert "is protected by a password" in _refusal(tmp_path, crafted)


def test_a_zip_without_the_parts_of_its_format_is_refused(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")  # no [Content_Types].xml
    assert _refusal(tmp_path, out.getvalue()) == (
        "x is not a real Word or Excel file: it cannot be read as one."
    )


def test_a_macro_enabled_document_renamed_docx_is_refused(tmp_path):
    assert "contains macros" in _refusal(tmp_path, hostile.docx(main=hostile.DOCM_MAIN))


def test_a_program_stored_as_a_part_is_refused(tmp_path):
    carrier = hostile.docx(extra={"word/embeddings/tool.bin": hostile.ELF})
    assert "contains a program" in _refusal(tmp_path, carrier)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda z: z + b"\x7fELF trailing data",
        lambda z: z[:40] + b"junk" + z[40:],
    ],
    ids=["after-the-end", "between-parts"],
)
def test_data_outside_the_parts_is_refused(tmp_path, tamper):
    message = _refusal(tmp_path, tamper(hostile.docx()))
    assert message in (
        "x has another file hidden inside it.",
        "x is not a real Word or Excel file: it cannot be read as one.",
    )


def test_overlapping_parts_are_refused(tmp_path):
    types = hostile.CONTENT_TYPES.format(main=hostile.DOCX_MAIN).encode()
    sound = hostile.zip_of(
        [
            ("[Content_Types].xml", *_method(hostile.deflated(types))),
            ("word/document.xml", *_method(hostile.deflated(b"<w:document/>"))),
        ]
    )
    archive = zipfile.ZipFile(io.BytesIO(sound))
    # The second directory entry points at the first part's data, as the densest bombs do.
    second = archive.infolist()[1]
    directory = sound[archive.start_dir :]
    patched = directory.replace(
        second.header_offset.to_bytes(4, "little") + b"word/", (0).to_bytes(4, "little") + b"word/"
    )
    assert patched != directory
    assert "hidden inside it" in _refusal(tmp_path, sound[: archive.start_dir] + patched)


def _method(deflated):
    data, crc, size = deflated
    return data, zipfile.ZIP_DEFLATED, crc, size


def test_a_part_whose_data_does_not_match_its_crc_is_refused(tmp_path):
    types = hostile.CONTENT_TYPES.format(main=hostile.DOCX_MAIN).encode()
    data, crc, size = hostile.deflated(b"<w:document/>")
    crafted = hostile.zip_of(
        [
            ("[Content_Types].xml", *_method(hostile.deflated(types))),
            ("word/document.xml", data, zipfile.ZIP_DEFLATED, crc ^ 1, size),
        ]
    )
    assert "is not a real Word or Excel file" in _refusal(tmp_path, crafted)


def test_an_old_format_or_password_protected_office_file_is_named_as_such(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000)
    assert "old-format or password-protected Office file" in _refusal(tmp_path, ole)


# Storing -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [hostile.png_bomb(), b"%PDF-1.7\n" + hostile.ELF, hostile.zip_bomb()],
    ids=["png-bomb", "pdf-elf", "zip-bomb"],
)
def test_a_refused_upload_leaves_no_row_and_no_file(tmp_path, grantee, content):
    project = factories.ProjectFactory(organisation=grantee.organisation)
    storage = files.Storage(root=tmp_path, max_bytes=20 * 1024 * 1024)
    with pytest.raises(UploadRejected):
        files.store(
            db.session, storage, grantee, project, io.BytesIO(content), "x", FileKind.DOCUMENT
        )
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert db.session.scalar(db.select(StoredFile).filter_by(project_id=project.id)) is None


def test_a_stored_picture_is_the_verified_re_encoding_and_hashed_as_such(grantee):
    project = factories.ProjectFactory(organisation=grantee.organisation)
    photo = factories.photo_with_gps()
    stored = files.store(
        db.session,
        file_storage(),
        grantee,
        project,
        io.BytesIO(photo),
        "site.jpg",
        FileKind.EVIDENCE,
    )
    kept = file_storage().path(stored.storage_key).read_bytes()
    assert kept != photo and b"PhoneMaker" not in kept
    assert stored.sha256 == hashlib.sha256(kept).hexdigest() and stored.size == len(kept)
    assert stored.content_type == "image/jpeg" and stored.original_name == "site.jpg"


def test_a_story_photo_must_be_a_photo_even_if_a_sound_document(grantee, tmp_path):
    project = factories.ProjectFactory(organisation=grantee.organisation)
    storage = files.Storage(root=tmp_path, max_bytes=1024 * 1024)
    with pytest.raises(UploadRejected, match="is not a JPEG or PNG photo"):
        files.store(
            db.session,
            storage,
            grantee,
            project,
            io.BytesIO(hostile.pdf()),
            "scan.pdf",
            FileKind.DOCUMENT,
            accept=uploads.PHOTOS,
        )


# Fuzzing -----------------------------------------------------------------------------------------

SOUND = {
    "pdf": hostile.pdf(pages=2),
    "pdf-attachment": hostile.pdf_with_attachment(b"budget notes " * 50),
    "docx": hostile.docx(),
    "xlsx": hostile.xlsx(),
    "jpeg": hostile.jpeg((40, 30), progressive=True),
    "png": hostile.png((40, 30), mode="RGBA"),
}
SIGNATURES = [kind.signature for kind in uploads.KINDS.values()]
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _never_fails_but_by_refusal(tmp_path: Path, content: bytes) -> None:
    try:
        _check(tmp_path, content)
    except UploadRejected as refused:
        assert str(refused.message).startswith("upload ")


@FUZZ
@given(prefix=st.sampled_from([b"", *SIGNATURES]), body=st.binary(max_size=4096))
def test_fuzz_random_bytes(tmp_path, prefix, body):
    _never_fails_but_by_refusal(tmp_path, prefix + body)


@FUZZ
@given(name=st.sampled_from(sorted(SOUND)), cut=st.floats(0, 1, exclude_max=True))
def test_fuzz_truncated_files_of_each_kind(tmp_path, name, cut):
    content = SOUND[name]
    _never_fails_but_by_refusal(tmp_path, content[: int(len(content) * cut)])


@FUZZ
@given(
    name=st.sampled_from(sorted(SOUND)),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
)
def test_fuzz_damaged_files_of_each_kind(tmp_path, name, flips):
    content = bytearray(SOUND[name])
    for where, byte in flips:
        content[int(len(content) * where)] = byte
    _never_fails_but_by_refusal(tmp_path, bytes(content))
