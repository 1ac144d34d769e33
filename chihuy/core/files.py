"""Uploaded files are records, not public paths (issue 12 §6).

Three pieces every app's uploads share:

- ``PrivateFileField``: stores an upload under a random name in a per-kind folder
  (``intake/2026/11/3f9c…e1.pdf``) and keeps the name the person gave it in a field of the
  same record, so the disk name reveals nothing and cannot be guessed.
- ``FileKindValidator``: accepts a file for what its bytes are, read with ``filetype``,
  never for its name: an executable renamed ``virus.pdf`` is refused. Word and Excel
  files are ZIP containers; for them the archive must hold the document's main part.
- ``serve_file``: the response of a download view, after that view has fetched the owning
  record through its app's permission layer. It streams the bytes itself, or, when
  ``CHIHUY_FILES_ACCEL_PREFIX`` is set, hands them to nginx with ``X-Accel-Redirect``.

No URL leads to the files themselves: ``PrivateStorage.url`` refuses, so a template or a
serializer that still asks a file for its ``.url`` fails loudly instead of printing a
public path.
"""

from __future__ import annotations

import logging
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models.fields.files import FieldFile
from django.forms import ClearableFileInput
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("chihuy.files")

HEAD_BYTES = 8192  # what filetype reads; every signature it knows sits in the first 8 KB


@dataclass(frozen=True)
class FileKind:
    code: str  # also the extension of the stored name
    mime: str
    label: str | Promise
    inline: bool = False  # shown in the browser rather than downloaded: images only


KINDS: dict[str, FileKind] = {
    k.code: k
    for k in (
        FileKind("pdf", "application/pdf", "PDF"),
        FileKind("jpg", "image/jpeg", _("ảnh JPEG"), inline=True),
        FileKind("png", "image/png", _("ảnh PNG"), inline=True),
        FileKind("webp", "image/webp", _("ảnh WebP"), inline=True),
        FileKind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            _("văn bản Word (.docx)"),
        ),
        FileKind(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _("bảng tính Excel (.xlsx)"),
        ),
        FileKind("mp3", "audio/mpeg", _("ghi âm MP3")),
        FileKind("m4a", "audio/mp4", _("ghi âm M4A")),
        FileKind("ogg", "audio/ogg", _("ghi âm OGG")),
        FileKind("wav", "audio/wav", _("ghi âm WAV")),
    )
}
# Attachments to records (calls, tasks, messages): scans, photos, office files, call recordings.
ATTACHMENT_KINDS = frozenset(KINDS)
# Documents (decisions, rules, directives): no recordings.
DOCUMENT_KINDS = frozenset({"pdf", "jpg", "png", "webp", "docx", "xlsx"})
SPREADSHEET_KINDS = frozenset({"xlsx"})

# How a refused file is named in the message, for the types people actually send by mistake.
_FOUND_LABELS: dict[str, str | Promise] = {
    "exe": _("chương trình Windows (.exe)"),
    "elf": _("chương trình Linux"),
    "zip": _("tệp nén ZIP"),
    "rar": _("tệp nén RAR"),
    "7z": _("tệp nén 7z"),
    "docm": _("văn bản Word có macro"),
    "xlsm": _("bảng tính Excel có macro"),
    "doc": _("văn bản Word cũ (.doc)"),
    "xls": _("bảng tính Excel cũ (.xls)"),
    "heic": _("ảnh HEIC"),
    "mp4": _("video MP4"),
}
_OFFICE_MAIN_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
_MACROS = {"docx": "word/vbaProject.bin", "xlsx": "xl/vbaProject.bin"}


def _already_stored(value: Any) -> bool:
    # A FieldFile of a record saved before, as opposed to one wrapping a new upload.
    return isinstance(value, FieldFile) and bool(getattr(value, "_committed", False))


def _rewound(file: Any) -> Any:
    file.seek(0)
    return file


def _office_kind(file: Any) -> str:
    """``docx`` / ``xlsx`` when the ZIP holds that document's main part, else what it is."""
    try:
        with zipfile.ZipFile(_rewound(file)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "zip"
    finally:
        file.seek(0)
    if "[Content_Types].xml" not in names:
        return "zip"
    for code, part in _OFFICE_MAIN_PARTS.items():
        if part in names:
            # A macro-enabled document renamed .docx/.xlsx carries code: not a plain document.
            return code[:-1] + "m" if _MACROS[code] in names else code
    return "zip"


def detect(file: Any, name: str = "") -> str | None:
    """What the bytes of ``file`` are (an extension such as ``pdf``, ``exe``), or None.

    ``file`` is any seekable file object; it is left at its start. ``name`` only settles
    one case the bytes leave open: phones record calls into MP4 containers with generic
    brands (``isom``, ``mp42``), which hold a recording when the phone named it ``.m4a``.
    """
    try:
        head = _rewound(file).read(HEAD_BYTES)
        file.seek(0)
    except (OSError, ValueError):
        return None
    guess = filetype.guess(bytes(head)) if head else None
    if guess is None:
        return None
    code = str(guess.extension)
    if code in ("zip", "docx", "xlsx", "pptx"):
        return _office_kind(file)
    if code == "mp4" and name.lower().endswith(".m4a"):
        return "m4a"
    return code


def allowed_labels(kinds: frozenset[str]) -> str:
    return ", ".join(str(KINDS[k].label) for k in KINDS if k in kinds)


@deconstructible
class FileKindValidator:
    """Accept only files whose bytes are one of ``kinds`` (codes of ``KINDS``).

    A file already stored (a record saved again) is not read again: it was checked when
    it came in, and files kept from before this check must not block editing the record.
    """

    def __init__(self, kinds: frozenset[str] | set[str] | tuple[str, ...]) -> None:
        self.kinds = frozenset(kinds)

    def __call__(self, value: Any) -> None:
        if not value or _already_stored(value):
            return
        upload = value.file if isinstance(value, FieldFile) else value
        name = PurePosixPath(str(getattr(value, "name", "") or "")).name
        found = detect(upload, name)
        if found in self.kinds:
            return
        allowed = allowed_labels(self.kinds)
        if found is None:
            raise ValidationError(
                _(
                    "Tệp “%(name)s” không được chấp nhận: không nhận ra loại tệp từ nội dung. "
                    "Chỉ nhận: %(allowed)s."
                ),
                code="file_type",
                params={"name": name, "allowed": allowed},
            )
        label = KINDS[found].label if found in KINDS else _FOUND_LABELS.get(found, f".{found}")
        raise ValidationError(
            _(
                "Tệp “%(name)s” không được chấp nhận: nội dung thật của tệp là %(found)s, "
                "dù tên tệp nói gì. Chỉ nhận: %(allowed)s."
            ),
            code="file_type",
            params={"name": name, "found": label, "allowed": allowed},
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileKindValidator) and other.kinds == self.kinds

    def __hash__(self) -> int:
        return hash(self.kinds)


@deconstructible
class FileSizeValidator:
    """At most ``max_bytes`` (``None``: ``CHIHUY_MAX_UPLOAD_BYTES``, read when checking)."""

    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes

    def __call__(self, value: Any) -> None:
        if not value or _already_stored(value):
            return
        limit = self.max_bytes or settings.CHIHUY_MAX_UPLOAD_BYTES
        if value.size > limit:
            raise ValidationError(
                _("Tệp quá lớn (%(size).1f MB); tối đa %(limit).0f MB."),
                code="file_size",
                params={"size": value.size / 1048576, "limit": limit / 1048576},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileSizeValidator) and other.max_bytes == self.max_bytes

    def __hash__(self) -> int:
        return hash(self.max_bytes)


ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
_ATTACHMENT_SIZE = FileSizeValidator(ATTACHMENT_MAX_BYTES)
_ATTACHMENT_KIND = FileKindValidator(ATTACHMENT_KINDS)


def validate_attachment(upload: Any) -> None:
    """An attachment to a record: a scan, photo, office file or call recording, up to 10 MB
    (issue 3, "bad input"; issue 12 §6: the type is what the bytes are)."""
    _ATTACHMENT_SIZE(upload)
    _ATTACHMENT_KIND(upload)


_DOCUMENT_SIZE = FileSizeValidator()
_DOCUMENT_KIND = FileKindValidator(DOCUMENT_KINDS)


def validate_document(upload: Any) -> Any:
    """A document (decision, rules, directive): a scan, PDF or office file, up to
    CHIHUY_MAX_UPLOAD_BYTES, judged by what its bytes are."""
    _DOCUMENT_SIZE(upload)
    _DOCUMENT_KIND(upload)
    return upload


def original_name(name: str) -> str:
    """The last part of an uploaded file's name, cut to 255 characters keeping its extension."""
    base = PurePosixPath(name.replace("\\", "/")).name
    if len(base) <= 255:
        return base
    suffix = PurePosixPath(base).suffix[:20]
    return base[: 255 - len(suffix)] + suffix


def random_name(folder: str, file: Any, name: str) -> str:
    """``<folder>/<yyyy>/<mm>/<32 random hex><.kind>``: unguessable, and the extension is
    the type the bytes are (so a web server's type map agrees with ``serve_file``)."""
    found = detect(file, name) if file is not None else None
    ext = f".{found}" if found in KINDS else ""
    return f"{folder}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{ext}"


class PrivateFileField(models.FileField):
    """A file handed out only by its owning record's download view.

    ``folder``: where files of this kind go. ``name_field``: the record's field that keeps
    the name the file was uploaded with; it is filled when a new file is saved (from the
    form, the API or the admin alike) and must be declared after this field, because the
    values of an INSERT or UPDATE are collected in field order.
    """

    def __init__(self, *args: Any, folder: str = "files", name_field: str = "", **kwargs: Any) -> None:
        self.folder = folder
        self.name_field = name_field
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["folder"] = self.folder
        if self.name_field:
            kwargs["name_field"] = self.name_field
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if not self.name_field:
            return errors
        fields = [f.name for f in self.model._meta.concrete_fields]
        if self.name_field not in fields or fields.index(self.name_field) < fields.index(self.name):
            errors.append(
                checks.Error(
                    f"name_field {self.name_field!r} must be a field declared after {self.name!r}.",
                    obj=self,
                    id="chihuy.E001",
                )
            )
        return errors

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            given = original_name(file.name or "")
            if self.name_field:
                setattr(model_instance, self.name_field, given)
            file.save(random_name(self.folder, file.file, given), file.file, save=False)
        elif not file and self.name_field:
            setattr(model_instance, self.name_field, "")
        return file

    def generate_filename(self, instance: Any, filename: str | os.PathLike[str]) -> str:
        # ``pre_save`` already built the whole name; keep it as it is.
        return self.storage.generate_filename(str(filename))

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"widget": StoredFileInput, **kwargs})


class PrivateStorage(FileSystemStorage):
    """The uploads' storage: files have no public URL (see the module docstring)."""

    def url(self, name: str | None) -> str:
        raise ValueError("Uploaded files have no public URL; link to the owning record's download view.")


class StoredFileInput(ClearableFileInput):
    """A file input that shows the current file by its original name, linked to its
    download view when the form gives one (``download_url``), never by a storage path."""

    template_name = "core/widgets/stored_file_input.html"
    download_url = ""
    current_name = ""

    def is_initial(self, value: Any) -> bool:
        return bool(value and getattr(value, "name", None))

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if self.is_initial(value):
            context["widget"]["current_name"] = self.current_name or PurePosixPath(value.name).name
            context["widget"]["download_url"] = self.download_url
        return context


def display_name(fieldfile: Any, kept: str = "") -> str:
    """The name to show and to download a file under: the one it was uploaded with, or for
    a file stored before names were kept, the last part of its stored name."""
    return kept or PurePosixPath(fieldfile.name or "").name


def serve_file(fieldfile: Any, *, filename: str) -> HttpResponseBase:
    """The download response for a file whose record the caller has already fetched
    through the permission layer (issue 12 §6).

    The type is read from the bytes, as on upload (files stored before that check are
    read the same way; one that is none of ``KINDS`` goes out as
    ``application/octet-stream``). Images are shown inline, everything else is a download;
    ``filename`` (the original name, Vietnamese welcome: RFC 5987) is in
    ``Content-Disposition``, and ``nosniff`` stops a browser guessing a type of its own.
    With ``CHIHUY_FILES_ACCEL_PREFIX`` the body is empty and nginx sends the file named in
    ``X-Accel-Redirect`` from an ``internal`` location; otherwise the bytes are streamed.
    A record whose file is missing on disk answers 404, not 500.
    """
    if not fieldfile:
        raise Http404(_("Không có tệp."))
    try:
        handle = fieldfile.storage.open(fieldfile.name, "rb")
    except (FileNotFoundError, IsADirectoryError) as exc:
        logger.warning("stored file missing: %s", fieldfile.name)
        raise Http404(_("Không tìm thấy tệp.")) from exc
    found = detect(handle, filename)
    kind = KINDS.get(found or "")
    content_type = kind.mime if kind else "application/octet-stream"
    inline = bool(kind and kind.inline)
    prefix = settings.CHIHUY_FILES_ACCEL_PREFIX
    response: HttpResponseBase
    if prefix:
        handle.close()
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(fieldfile.name)
        disposition = content_disposition_header(not inline, filename)
        if disposition:
            response["Content-Disposition"] = disposition
    else:
        response = FileResponse(
            handle, content_type=content_type, as_attachment=not inline, filename=filename
        )
    response["X-Content-Type-Options"] = "nosniff"
    # Private records: no shared cache may keep them.
    response["Cache-Control"] = "private, no-store"
    return response
