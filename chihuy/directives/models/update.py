from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.core.files import PrivateFileField, display_name, validate_attachment
from chihuy.directives.choices import UpdateKind


class TaskUpdate(models.Model):
    """One line of a task's history: accepted, progress, done, escalated, reminded, changed.

    Append-only like a logbook, so it is not Audited; the changes it reports are (on the
    assignment and the task).
    """

    task = models.ForeignKey("directives.Task", on_delete=models.CASCADE, related_name="updates")
    assignment = models.ForeignKey(
        "directives.Assignment", null=True, blank=True, on_delete=models.CASCADE, related_name="updates"
    )
    kind = models.CharField(_("loại"), max_length=10, choices=UpdateKind.choices)
    note = models.TextField(_("nội dung"), blank=True)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cập nhật"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("cập nhật nhiệm vụ")
        verbose_name_plural = _("cập nhật nhiệm vụ")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%d/%m/%Y %H:%M}"

    @property
    def kind_colour(self) -> str:
        return UpdateKind(self.kind).colour


class TaskAttachment(Audited):
    update = models.ForeignKey(TaskUpdate, on_delete=models.CASCADE, related_name="attachments")
    file = PrivateFileField(
        _("tệp đính kèm"), folder="directives", name_field="name", validators=[validate_attachment]
    )
    name = models.CharField(_("tên tệp"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["id"]

    def __str__(self) -> str:
        return display_name(self.file, self.name)

    def audit_centre(self) -> Any:
        return self.update.task.centre
