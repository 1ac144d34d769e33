from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet
from chihuy.intake.choices import EventKind


class IntakeEventQuerySet(CentreScopedQuerySet["IntakeEvent"]):
    centre_lookup = "record__centre"


class IntakeEvent(Audited):
    """One step in a record's history: received, status, assigned, forwarded, escalated (R16, R10).

    A forwarding writes an event on both records, so each centre keeps its own history.
    """

    record = models.ForeignKey("intake.IntakeRecord", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("loại"), max_length=10, choices=EventKind.choices)
    from_centre = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("từ trung tâm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_centre = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("đến trung tâm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("ghi chú"), blank=True)
    at = models.DateTimeField(_("thời gian"), default=timezone.now)

    objects = IntakeEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("diễn biến")
        verbose_name_plural = _("diễn biến")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.record_id}"

    @property
    def kind_colour(self) -> str:
        return EventKind(self.kind).colour

    def audit_centre(self) -> Any:
        return self.record.centre
