from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited

DEFAULT_MINUTES = 5.0
DEFAULT_REPEATS = 2


class AlertPolicy(Audited):
    """How one centre's urgent alerts escalate and travel (R3): N minutes per step, K passes, channels.

    A centre without a row uses the defaults (5 minutes, 2 passes, in-app and e-mail).
    """

    centre = models.OneToOneField(
        "centres.Centre", verbose_name=_("trung tâm"), on_delete=models.CASCADE, related_name="alert_policy"
    )
    # Fractional minutes are allowed so a drill (or a test) can run the chain in seconds.
    minutes = models.FloatField(
        _("số phút chờ xác nhận mỗi bước"),
        default=DEFAULT_MINUTES,
        validators=[MinValueValidator(0.001), MaxValueValidator(24 * 60)],
    )
    repeats = models.PositiveSmallIntegerField(
        _("số lượt lặp lại chuỗi báo"),
        default=DEFAULT_REPEATS,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    email_enabled = models.BooleanField(_("gửi thư điện tử"), default=True)
    sms_enabled = models.BooleanField(_("gửi SMS"), default=False)
    zalo_enabled = models.BooleanField(_("gửi Zalo OA"), default=False)
    sms_webhook_url = models.URLField(_("địa chỉ webhook cổng SMS"), blank=True)
    zalo_webhook_url = models.URLField(_("địa chỉ webhook Zalo OA"), blank=True)
    webhook_secret = models.CharField(_("khoá bí mật webhook"), max_length=200, blank=True)

    audit_exclude = frozenset({"webhook_secret"})

    class Meta:
        verbose_name = _("cấu hình báo khẩn")
        verbose_name_plural = _("cấu hình báo khẩn")

    def __str__(self) -> str:
        return f"{self.centre}: {self.minutes:g}′ × {self.repeats}"

    @property
    def interval(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes)

    def channels(self) -> list[str]:
        from chihuy.alerts.choices import Channel

        out = [Channel.IN_APP.value]
        if self.email_enabled:
            out.append(Channel.EMAIL.value)
        if self.sms_enabled and self.sms_webhook_url:
            out.append(Channel.SMS.value)
        if self.zalo_enabled and self.zalo_webhook_url:
            out.append(Channel.ZALO.value)
        return out
