from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chihuy.alerts.choices import AlertStatus, Channel, DeliveryStatus, StepKind
from chihuy.centres.access import memberships
from chihuy.centres.choices import LEADER_ROLES


def leader_paths(user: Any) -> list[str]:
    """Paths of the centres where ``user`` is commander or deputy: he oversees their subtrees."""
    return sorted({m.centre.path for m in memberships(user) if m.role in LEADER_ROLES and m.centre.path})


class AlertQuerySet(models.QuerySet["Alert"]):
    def visible_to(self, user: Any) -> AlertQuerySet:
        """An alert is seen by whoever it reached and by the leaders of its centre or an ancestor."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        cond = Q(pk__in=AlertStep.objects.filter(recipients=user, fired_at__isnull=False).values("alert_id"))
        for path in leader_paths(user):
            cond |= Q(centre__path__startswith=path)
        return self.filter(cond)

    def pending(self) -> AlertQuerySet:
        return self.filter(status__in=[AlertStatus.OPEN, AlertStatus.EXHAUSTED])


class Alert(models.Model):
    """An urgent record's alert and its frozen escalation chain (R3 "báo cáo ngay")."""

    record = models.ForeignKey(
        "intake.IntakeRecord",
        verbose_name=_("thông tin tiếp nhận"),
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    centre = models.ForeignKey(
        "centres.Centre", verbose_name=_("trung tâm"), on_delete=models.CASCADE, related_name="alerts"
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    acknowledged_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The pass of the chain reached so far (1..repeats); the policy is copied so later edits don't move it.
    repeat = models.PositiveSmallIntegerField(_("lượt báo"), default=1)
    repeats = models.PositiveSmallIntegerField(_("số lượt tối đa"), default=1)
    interval_seconds = models.FloatField(_("số giây mỗi bước"), default=300)
    channels = models.JSONField(_("kênh gửi"), default=list)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo khẩn")
        verbose_name_plural = _("báo khẩn")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["record"], name="alert_one_per_record")]
        indexes = [models.Index(fields=["centre", "status"], name="alert_centre_status")]

    def __str__(self) -> str:
        return f"{self.record} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in (AlertStatus.OPEN, AlertStatus.EXHAUSTED)

    @property
    def status_colour(self) -> str:
        return AlertStatus(self.status).colour

    @property
    def interval(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.interval_seconds)


class AlertStep(models.Model):
    """One step of the frozen chain: who is told, when it is due, and when it actually fired."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    round = models.PositiveSmallIntegerField(_("lượt"), default=1)
    kind = models.CharField(_("bước"), max_length=12, choices=StepKind.choices)
    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="+")
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), related_name="alert_steps"
    )
    due_at = models.DateTimeField(_("đến hạn lúc"))
    fired_at = models.DateTimeField(_("đã báo lúc"), null=True, blank=True)
    # Set when every external delivery of the step has a final outcome; the auditor retries the rest.
    delivered_at = models.DateTimeField(_("gửi xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("bước báo khẩn")
        verbose_name_plural = _("bước báo khẩn")
        ordering = ["alert", "position"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "position"], name="alert_step_unique_position")
        ]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(fired_at__isnull=True), name="alert_step_unfired_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id}#{self.position} {self.get_kind_display()}"


class AlertDelivery(models.Model):
    """One attempt to tell one person over one channel; failures are kept with their error."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    step = models.ForeignKey(AlertStep, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_deliveries"
    )
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices)
    attempt = models.PositiveSmallIntegerField(_("lần thử"), default=1)
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    attempted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    # A retry waits until then, so a gateway that is down is not hammered.
    not_before = models.DateTimeField(_("gửi lại sau"), default=timezone.now)
    error = models.TextField(_("lỗi"), blank=True)
    # The gateway's receipt (its message id), stored the moment it answers: an attempt found
    # "sending" after a crash with a receipt was sent and is not sent again.
    gateway_id = models.CharField(_("mã tin của cổng gửi"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("lượt gửi báo khẩn")
        verbose_name_plural = _("lượt gửi báo khẩn")
        ordering = ["step", "user", "channel", "attempt"]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "user", "channel", "attempt"], name="alert_delivery_unique_attempt"
            ),
        ]
        indexes = [
            # The live stream asks "what in-app deliveries for me after id N?" several times a second.
            models.Index(fields=["user", "channel", "id"], name="alert_delivery_stream"),
            models.Index(
                fields=["status", "not_before"],
                condition=Q(status__in=["pending", "sending"]),
                name="alert_delivery_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step} → {self.user_id} {self.channel} #{self.attempt}: {self.status}"

    @property
    def status_colour(self) -> str:
        return DeliveryStatus(self.status).colour

    @property
    def idempotency_key(self) -> str:
        """Names the message, not the attempt: every retry to this person on this channel for
        this step carries the same key, so a de-duplicating gateway sends it once."""
        return f"chihuy-alert-{self.step_id}-{self.user_id}-{self.channel}"
