from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chihuy.centres.access import CentreScopedQuerySet
from chihuy.reports.choices import ImportStatus


class ReportImportQuerySet(CentreScopedQuerySet["ReportImport"]):
    pass


class ReportImport(models.Model):
    """An uploaded sheet of one day's figures for many children, kept between preview and import."""

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="report_imports")
    date = models.DateField(_("ngày báo cáo"))
    filename = models.CharField(_("tệp"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=8, choices=ImportStatus.choices, default=ImportStatus.PREVIEW)
    # [{"row": 5, "centre": 12, "code": 8707, "name": "...", "figures": {...}, "texts": {...}}]
    rows = models.JSONField(default=list)
    # [{"row": 5, "column": "D", "field": "beds_occupied", "message": "..."}]
    errors = models.JSONField(default=list)
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = ReportImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần nhập bảng tính")
        verbose_name_plural = _("các lần nhập bảng tính")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.date:%d/%m/%Y})"
