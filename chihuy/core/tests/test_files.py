"""The shared pieces of issue 12 §6: the real type from the bytes, random stored names, the
download response in both modes, and no public path to any upload."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.test import Client
from django.test.utils import isolate_apps

from chihuy.core.files import (
    ATTACHMENT_KINDS,
    DOCUMENT_KINDS,
    FileKindValidator,
    FileSizeValidator,
    detect,
    original_name,
    random_name,
    serve_file,
    validate_attachment,
    validate_document,
)
from chihuy.core.testing.files import (
    ACCEL_PREFIX,
    EXE,
    PDF,
    PNG,
    assert_accel,
    assert_served,
    docx_bytes,
    upload,
    virus_pdf,
    xlsx_bytes,
)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 30
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 30
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 30
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00" + b"\x00" * 30
MP4_AUDIO = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2mp41" + b"\x00" * 30
OGG = b"OggS\x00\x02" + b"\x00" * 40
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 30


def _zip(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _with_macro(document: bytes, part: str) -> bytes:
    buffer = io.BytesIO(document)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(part, b"\xd0\xcf\x11\xe0")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("scan.pdf", PDF, "pdf"),
        ("anh.jpg", JPEG, "jpg"),
        ("anh.png", PNG, "png"),
        ("anh.webp", WEBP, "webp"),
        ("cuoc-goi.mp3", MP3, "mp3"),
        ("cuoc-goi.m4a", M4A, "m4a"),
        # Phones record calls into MP4 containers with generic brands, named .m4a.
        ("ghi-am-0912.m4a", MP4_AUDIO, "m4a"),
        ("cuoc-goi.ogg", OGG, "ogg"),
        ("cuoc-goi.wav", WAV, "wav"),
    ],
)
def test_allowed_kinds_are_recognised_from_their_bytes(name, data, kind):
    file = io.BytesIO(data)
    assert detect(file, name) == kind
    assert file.tell() == 0  # left at its start for whoever reads it next
    validate_attachment(upload(name, data))


def test_office_files_are_recognised_by_their_main_part():
    assert detect(io.BytesIO(docx_bytes())) == "docx"
    assert detect(io.BytesIO(xlsx_bytes())) == "xlsx"
    validate_document(upload("quyet-dinh.docx", docx_bytes()))
    validate_document(upload("so-lieu.xlsx", xlsx_bytes()))


@pytest.mark.parametrize(
    ("name", "data", "found"),
    [
        ("virus.pdf", EXE, "chương trình Windows (.exe)"),
        ("virus.docx", EXE, "chương trình Windows (.exe)"),
        ("tai-lieu.docx", _zip(**{"a.txt": b"x"}), "tệp nén ZIP"),
        # A ZIP that claims to be a workbook but holds none of its parts.
        ("so-lieu.xlsx", _zip(**{"[Content_Types].xml": b"<Types/>", "x.txt": b"x"}), "tệp nén ZIP"),
        ("video.mp4", MP4_AUDIO, "video MP4"),
    ],
)
def test_forged_types_are_refused_with_what_they_really_are(name, data, found):
    with pytest.raises(ValidationError) as exc:
        validate_attachment(upload(name, data, "application/pdf"))
    message = exc.value.messages[0]
    assert message.startswith(f"Tệp “{name}” không được chấp nhận: nội dung thật của tệp là {found}")
    assert "Chỉ nhận: PDF, ảnh JPEG, ảnh PNG, ảnh WebP" in message
    assert exc.value.error_list[0].code == "file_type"


def test_macro_documents_renamed_docx_or_xlsx_are_refused():
    for data, found in (
        (_with_macro(docx_bytes(), "word/vbaProject.bin"), "văn bản Word có macro"),
        (_with_macro(xlsx_bytes(), "xl/vbaProject.bin"), "bảng tính Excel có macro"),
    ):
        with pytest.raises(ValidationError, match=found):
            validate_document(upload("bao-cao.docx", data))


def test_unknown_bytes_are_refused():
    with pytest.raises(ValidationError, match="không nhận ra loại tệp từ nội dung"):
        validate_attachment(upload("ghi-chu.pdf", "chỉ là văn bản".encode()))


def test_documents_take_no_recordings_and_sizes_are_capped(settings):
    assert "mp3" in ATTACHMENT_KINDS and "mp3" not in DOCUMENT_KINDS
    with pytest.raises(ValidationError, match="ghi âm MP3"):
        validate_document(upload("quyet-dinh.mp3", MP3))
    settings.CHIHUY_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError, match="Tệp quá lớn"):
        validate_document(upload("scan.pdf", PDF + b"0" * 2048))
    FileSizeValidator(4096)(upload("scan.pdf", PDF + b"0" * 2048))


def test_validator_compares_equal_for_migrations():
    assert FileKindValidator({"pdf", "png"}) == FileKindValidator(("png", "pdf"))
    assert FileKindValidator({"pdf"}) != FileKindValidator({"png"})


def test_random_name_is_unguessable_and_typed_by_the_bytes():
    first = random_name("intake", io.BytesIO(PDF), "Báo cáo.pdf")
    second = random_name("intake", io.BytesIO(PDF), "Báo cáo.pdf")
    assert first != second
    assert first.startswith("intake/") and first.endswith(".pdf")
    assert "Báo" not in first and len(first.rsplit("/", 1)[1]) == 32 + 4
    # A forged name gives its extension to nothing.
    assert random_name("intake", io.BytesIO(PNG), "virus.pdf").endswith(".png")


def test_original_name_keeps_the_last_part_and_the_extension():
    assert original_name("C:\\Users\\an\\Biên bản.pdf") == "Biên bản.pdf"
    long = "a" * 300 + ".docx"
    assert len(original_name(long)) == 255 and original_name(long).endswith(".docx")


def test_uploads_have_no_public_url(db):
    name = default_storage.save("intake/2026/11/x.pdf", ContentFile(PDF))
    with pytest.raises(ValueError, match="no public URL"):
        default_storage.url(name)


@pytest.mark.django_db
def test_media_paths_answer_404(client: Client, settings):
    default_storage.save("intake/2026/11/bao-cao.pdf", ContentFile(PDF))
    for debug in (True, False):
        settings.DEBUG = debug
        assert client.get("/media/intake/2026/11/bao-cao.pdf").status_code == 404


class _Stored:
    """The part of a FieldFile ``serve_file`` uses."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.storage = default_storage

    def __bool__(self) -> bool:
        return bool(self.name)


def _stored(name: str, data: bytes) -> _Stored:
    return _Stored(default_storage.save(name, ContentFile(data)))


def test_serve_streams_with_the_original_name(db):
    stored = _stored("intake/2026/11/3f9c.pdf", PDF)
    assert_served(
        serve_file(stored, filename="Biên bản ca trực.pdf"),
        data=PDF,
        content_type="application/pdf",
        filename="Biên bản ca trực.pdf",
    )


def test_serve_shows_images_inline_and_the_rest_as_downloads(db):
    image = _stored("intake/2026/11/a.png", PNG)
    assert_served(
        serve_file(image, filename="anh.png"),
        data=PNG,
        content_type="image/png",
        filename="anh.png",
        inline=True,
    )
    # A file stored before the type check that is none of the known kinds goes out as bytes.
    legacy = _stored("intake/2025/01/ghi-chu.txt", b"plain text")
    assert_served(
        serve_file(legacy, filename="ghi-chu.txt"),
        data=b"plain text",
        content_type="application/octet-stream",
        filename="ghi-chu.txt",
    )


def test_serve_hands_the_file_to_nginx_when_configured(db, settings):
    settings.CHIHUY_FILES_ACCEL_PREFIX = ACCEL_PREFIX
    stored = _stored("intake/2026/11/3f9c.pdf", PDF)
    response = serve_file(stored, filename="Biên bản.pdf")
    assert_accel(response, stored_name=stored.name, content_type="application/pdf", filename="Biên bản.pdf")
    assert "filename*=utf-8''Bi%C3%AAn%20b%E1%BA%A3n.pdf" in response["Content-Disposition"]
    # A file kept from before, with a Vietnamese name on disk: the header stays ASCII.
    legacy = _stored("centres/decisions/2025/Quyết định.pdf", PDF)
    assert serve_file(legacy, filename="x.pdf")["X-Accel-Redirect"] == (
        ACCEL_PREFIX + "centres/decisions/2025/Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.pdf"
    )


def test_serve_answers_404_for_a_missing_or_absent_file(db):
    with pytest.raises(Http404):
        serve_file(_Stored("intake/2026/11/gone.pdf"), filename="gone.pdf")
    with pytest.raises(Http404):
        serve_file(_Stored(""), filename="")


def test_forged_file_is_refused_before_anything_is_stored(db):
    from chihuy.core.testing.files import stored_files

    with pytest.raises(ValidationError):
        validate_attachment(virus_pdf())
    assert stored_files() == []


@isolate_apps("chihuy.core")
def test_name_field_must_follow_the_file_field():
    from django.db import models

    from chihuy.core.files import PrivateFileField

    class Wrong(models.Model):
        label = models.CharField(max_length=255)
        file = PrivateFileField(folder="x", name_field="label")

        def __str__(self) -> str:
            return self.label

    errors = Wrong._meta.get_field("file").check()
    assert [e.id for e in errors] == ["chihuy.E001"]


@pytest.mark.parametrize("value", ["_protected", "/_protected", "protected/"])
def test_accel_prefix_setting_must_be_a_slash_delimited_path(value):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["CHIHUY_FILES_ACCEL_PREFIX"] = value
    result = subprocess.run(
        [sys.executable, "-c", "import chihuy.settings"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "CHIHUY_FILES_ACCEL_PREFIX must be a path that starts and ends with /" in result.stderr
