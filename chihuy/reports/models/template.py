from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.choices import CentreLevel
from chihuy.reports.choices import RollupRule

code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{1,39}$",
    _("Mã chỉ tiêu gồm 2–40 chữ thường không dấu, chữ số hoặc dấu gạch dưới, bắt đầu bằng chữ."),
)


class ReportTemplate(Audited):
    """One version of the report template a province uses, for each level below it (issue 5 §1).

    The national indicators are always part of a report; a version lists the indicators
    the province added on top. Adding one creates a new version, and a report keeps the
    version it was filed with, so old reports read as they were sent.
    """

    owner = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("trung tâm ban hành"),
        on_delete=models.PROTECT,
        related_name="report_templates",
    )
    version = models.PositiveIntegerField(_("phiên bản"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("mẫu báo cáo")
        verbose_name_plural = _("mẫu báo cáo")
        ordering = ["owner", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "version"], name="report_template_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.owner.short_code} v{self.version}"

    def audit_centre(self) -> object:
        return self.owner


class TemplateIndicator(models.Model):
    """An indicator a province added to a template version (numbers only, whole units)."""

    template = models.ForeignKey(ReportTemplate, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("mã chỉ tiêu"), max_length=40, validators=[code_validator])
    label = models.CharField(_("tên chỉ tiêu"), max_length=200)
    unit = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    rule = models.CharField(_("cách tổng hợp"), max_length=4, choices=RollupRule.choices)
    level = models.CharField(
        _("cấp báo cáo"),
        max_length=10,
        choices=CentreLevel.choices,
        blank=True,
        help_text=_("Để trống: mọi cấp trong tỉnh đều báo cáo chỉ tiêu này."),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("chỉ tiêu bổ sung")
        verbose_name_plural = _("chỉ tiêu bổ sung")
        ordering = ["template", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="template_indicator_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def is_flow(self) -> bool:
        return self.rule == RollupRule.SUM
