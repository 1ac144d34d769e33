from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` an API caller sent with ``POST /api/v1/intakes`` (issue 3 §8).

    The row is inserted in the same transaction as the record it creates; the unique
    constraint makes a concurrent retry wait for that transaction and then find the
    key, so a retried request never creates a second record. ``request_hash`` tells a
    genuine retry from a different request reusing the key.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    record = models.ForeignKey(
        "intake.IntakeRecord", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    response_status = models.PositiveSmallIntegerField(default=201)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("khoá chống gửi trùng")
        verbose_name_plural = _("khoá chống gửi trùng")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="intake_idempotency_unique_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class SmsWebhookSecret(models.Model):
    """The shared secret an SMS gateway signs its calls to a centre's inbound webhook with.

    Kept in clear: an HMAC cannot be checked against a hash of its key. Not audited, so
    the secret never lands in the change log; rotating it is a service call.
    """

    centre = models.OneToOneField("centres.Centre", on_delete=models.CASCADE, related_name="sms_webhook")
    secret = models.CharField(max_length=100, default=new_webhook_secret)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khoá bí mật webhook SMS")
        verbose_name_plural = _("khoá bí mật webhook SMS")

    def __str__(self) -> str:
        return f"SMS webhook {self.centre_id}"
