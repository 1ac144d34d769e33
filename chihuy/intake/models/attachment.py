from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet

# Imported from here by the migrations written before it moved to chihuy.core.files.
from chihuy.core.files import PrivateFileField, display_name, validate_attachment

__all__ = ["IntakeAttachment", "IntakeAttachmentQuerySet", "validate_attachment"]


class IntakeAttachmentQuerySet(CentreScopedQuerySet["IntakeAttachment"]):
    centre_lookup = "record__centre"


class IntakeAttachment(Audited):
    record = models.ForeignKey("intake.IntakeRecord", on_delete=models.CASCADE, related_name="attachments")
    file = PrivateFileField(
        _("tệp đính kèm"), folder="intake", name_field="name", validators=[validate_attachment]
    )
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
        return display_name(self.file, self.name)

    def audit_centre(self) -> Any:
        return self.record.centre
