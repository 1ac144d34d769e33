from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet

ATTACHMENT_EXTENSIONS = frozenset({".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx"})
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def validate_attachment(upload: Any) -> None:
    """Only scans, photos and office files, up to 10 MB (issue 3, "bad input")."""
    if not upload:
        return
    ext = Path(upload.name).suffix.lower()
    if ext not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            _("Định dạng tệp %(ext)s không được chấp nhận. Chỉ nhận: %(allowed)s."),
            code="file_type",
            params={"ext": ext or "?", "allowed": "pdf, jpg, png, docx, xlsx"},
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("Tệp quá lớn (%(size).1f MB); tối đa 10 MB."),
            code="file_size",
            params={"size": upload.size / 1048576},
        )


class IntakeAttachmentQuerySet(CentreScopedQuerySet["IntakeAttachment"]):
    centre_lookup = "record__centre"


class IntakeAttachment(Audited):
    record = models.ForeignKey("intake.IntakeRecord", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("tệp đính kèm"), upload_to="intake/%Y/%m/", validators=[validate_attachment])
    name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), default=timezone.now)

    objects = IntakeAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name or Path(self.file.name or "").name

    def audit_centre(self) -> Any:
        return self.record.centre
