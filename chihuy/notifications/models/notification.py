from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One notice to one person: in the app always, and through the outside channels it was sent on.

    ``deliveries`` keeps, per outside channel, the outcome of the last attempt
    (``{"email": {"status": "sent", "at": "...", "error": ""}}``) so nothing is sent twice
    when a worker restarts and a failure is visible to whoever looks at it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), on_delete=models.CASCADE, related_name="+"
    )
    centre = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("trung tâm"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("loại"), max_length=40, blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=250)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    channels = models.JSONField(_("kênh gửi"), default=list, blank=True)
    deliveries = models.JSONField(_("kết quả gửi"), default=dict, blank=True)
    created_at = models.DateTimeField(_("lúc tạo"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("lúc đọc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notif_user_unread")]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
