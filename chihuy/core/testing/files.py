"""Sample files and checks for the tests of uploads and their download views (issue 12 §6)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17
# The start of a Windows executable: "MZ", a DOS stub, the offset of the PE header.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 46 + b"\x40\x00\x00\x00PE\x00\x00"
ACCEL_PREFIX = "/_protected/"


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf(name: str = "bao-cao.pdf") -> SimpleUploadedFile:
    return upload(name, PDF, "application/pdf")


def virus_pdf() -> SimpleUploadedFile:
    """A Windows executable renamed ``virus.pdf``, its type claimed as PDF by the browser."""
    return upload("virus.pdf", EXE, "application/pdf")


def docx_bytes() -> bytes:
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def stored_files() -> list[Path]:
    """Every file under MEDIA_ROOT (a fresh folder per test)."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        # The test client closes the response (and the file) once its content is read; one
        # built by calling the view directly is closed here, without the request signal.
        data = b"".join(response.streaming_content)
        if not hasattr(response, "wsgi_request"):
            for closer in response._resource_closers:
                closer()
        return data
    return bytes(response.content)


def assert_served(
    response: Any, *, data: bytes, content_type: str, filename: str, inline: bool = False
) -> None:
    """The bytes streamed by the app, with the headers every download carries."""
    assert response.status_code == 200, (response.status_code, getattr(response, "content", b"")[:300])
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;" if inline else "attachment;"), disposition
    if filename.isascii():
        assert f'filename="{filename}"' in disposition, disposition
    else:
        from urllib.parse import quote

        assert f"filename*=utf-8''{quote(filename)}" in disposition, disposition
    assert "X-Accel-Redirect" not in response
    assert body(response) == data


def assert_accel(response: Any, *, stored_name: str, content_type: str, filename: str) -> None:
    """Handed to nginx: the internal path in ``X-Accel-Redirect``, no body."""
    assert response.status_code == 200, (response.status_code, getattr(response, "content", b"")[:300])
    assert response["X-Accel-Redirect"] == ACCEL_PREFIX + stored_name
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert filename in response["Content-Disposition"] or "filename*=" in response["Content-Disposition"]
    assert body(response) == b""
