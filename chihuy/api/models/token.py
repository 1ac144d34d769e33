from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer token for an integration, acting as one user (R: API for integrations).

    Only the SHA-256 hash of the secret is stored; the secret is shown once when the
    token is created. The first characters are kept in clear so people can tell their
    tokens apart in the admin and in logs.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(_("tiền tố khoá"), max_length=8, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("ngày tạo"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("lần dùng gần nhất"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("khoá API")
        verbose_name_plural = _("khoá API")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
