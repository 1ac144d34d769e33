from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet
from chihuy.core.files import PrivateFileField, display_name, validate_attachment


class Message(Audited):
    """One message in a centre's announcement channel, which replaces the Zalo group (R4)."""

    centre = models.ForeignKey(
        "centres.Centre", verbose_name=_("trung tâm"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người gửi"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("nội dung"), blank=True)
    attachment = PrivateFileField(
        _("tệp đính kèm"),
        folder="announcements",
        name_field="attachment_original_name",
        blank=True,
        validators=[validate_attachment],
    )
    attachment_original_name = models.CharField(
        _("tên tệp đính kèm"), max_length=255, blank=True, editable=False
    )
    important = models.BooleanField(
        _("quan trọng"), default=False, help_text=_("Gửi thêm thư điện tử cho mọi thành viên.")
    )
    intake_record = models.ForeignKey(
        "intake.IntakeRecord",
        verbose_name=_("thông tin tiếp nhận liên quan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    task = models.ForeignKey(
        "directives.Task",
        verbose_name=_("nhiệm vụ liên quan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("gửi lúc"), default=timezone.now, db_index=True)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tin nhắn kênh thông báo")
        verbose_name_plural = _("tin nhắn kênh thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["centre", "-created_at"], name="message_centre_created")]

    def __str__(self) -> str:
        text = self.body or self.attachment_name
        return text[:60]

    @property
    def attachment_name(self) -> str:
        return display_name(self.attachment, self.attachment_original_name) if self.attachment else ""

    def audit_centre(self) -> Any:
        return self.centre


class MessageRead(models.Model):
    """A read receipt: who has seen a message, and when ("đã xem 5/12")."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lượt xem")
        verbose_name_plural = _("lượt xem")
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="message_read_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.read_at:%d/%m/%Y %H:%M}"
