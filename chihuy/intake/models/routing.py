from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet
from chihuy.centres.choices import CentreLevel, Sector
from chihuy.intake.choices import HandlingLevel


class RoutingRule(Audited):
    """R16: at which level a category of report is handled in this province; the province edits it.

    Without a rule, the lowest centre whose area covers the location handles the report.
    """

    centre = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("trung tâm cấp tỉnh"),
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    category = models.CharField(_("phân loại"), max_length=14, choices=Sector.choices)
    level = models.CharField(_("cấp xử lý"), max_length=10, choices=HandlingLevel.choices)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quy tắc chuyển cấp xử lý")
        verbose_name_plural = _("quy tắc chuyển cấp xử lý")
        ordering = ["centre", "category"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "category"], name="routing_rule_unique_category"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} → {self.get_level_display()}"

    @staticmethod
    def settable_by(centre: Any) -> bool:
        """R16: the province decides at which level each category is handled."""
        return bool(centre.level == CentreLevel.PROVINCE)

    def clean(self) -> None:
        if self.centre_id and not self.settable_by(self.centre):
            raise ValidationError({"centre": _("Chỉ trung tâm cấp tỉnh đặt quy tắc chuyển cấp xử lý.")})
