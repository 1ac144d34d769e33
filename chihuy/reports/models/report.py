from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet
from chihuy.reports.choices import DayStatus, ReportState, Source, VersionKind
from chihuy.reports.indicators import BY_CODE, CODES

NOT_NEGATIVE = _("Số liệu không được là số âm.")


def figure(code: str) -> models.IntegerField:
    """A whole, non-negative figure; empty means "not reported", which is not zero."""
    return models.IntegerField(
        BY_CODE[code].label,  # type: ignore[arg-type]
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=NOT_NEGATIVE)],
    )


class DailyReportQuerySet(CentreScopedQuerySet["DailyReport"]):
    def filed(self) -> DailyReportQuerySet:
        return self.filter(state__in=[ReportState.SUBMITTED, ReportState.AMENDED])

    def under(self, path: str) -> DailyReportQuerySet:
        """Reports of the centres strictly below the centre at ``path`` (its subtree, itself excluded)."""
        return self.filter(centre_path__startswith=path).exclude(centre_path=path)


class DailyReport(Audited):
    """The daily report a centre owes its parent for one day (R12, R18): its current figures.

    The row carries the timeliness of the first submission and the current state, so a
    parent's completeness is a count over one indexed table; each submission and
    amendment is also kept as an immutable ``ReportVersion``.
    """

    centre = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("trung tâm báo cáo"),
        on_delete=models.PROTECT,
        related_name="daily_reports",
    )
    parent = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("gửi trung tâm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_reports",
    )
    # A copy of ``centre.path`` (fixed once the centre exists): a subtree is an indexed prefix.
    centre_path = models.CharField(max_length=255, editable=False)
    date = models.DateField(_("ngày báo cáo"))
    template = models.ForeignKey(
        "reports.ReportTemplate",
        verbose_name=_("mẫu báo cáo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT
    )
    on_time = models.BooleanField(_("đúng hạn"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("hạn nộp"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amended_at = models.DateTimeField(_("sửa đổi lúc"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("lần nộp"), default=0)
    source = models.CharField(_("nguồn"), max_length=8, choices=Source.choices, default=Source.WEB)

    new_cases = figure("new_cases")
    cumulative_cases = figure("cumulative_cases")
    tests_done = figure("tests_done")
    positives = figure("positives")
    vaccine_dose1 = figure("vaccine_dose1")
    vaccine_dose2 = figure("vaccine_dose2")
    vaccine_dose3 = figure("vaccine_dose3")
    isolated_home = figure("isolated_home")
    isolated_facility = figure("isolated_facility")
    in_treatment = figure("in_treatment")
    recovered = figure("recovered")
    deaths = figure("deaths")
    beds_total = figure("beds_total")
    beds_occupied = figure("beds_occupied")
    oxygen = figure("oxygen")
    icu_beds = figure("icu_beds")

    situation = models.TextField(_("Tình hình dịch bệnh"), blank=True)
    sector_results = models.TextField(_("Kết quả thực hiện theo lĩnh vực"), blank=True)
    difficulties = models.TextField(_("Khó khăn, vướng mắc"), blank=True)
    recommendations = models.TextField(_("Kiến nghị, đề xuất"), blank=True)

    doc_number = models.CharField(_("số, ký hiệu văn bản"), max_length=60, blank=True)
    doc_recipient = models.CharField(_("kính gửi"), max_length=255, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=150, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=150, blank=True)

    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = DailyReportQuerySet.as_manager()

    audit_exclude = frozenset({"updated_at", "centre_path"})

    class Meta:
        verbose_name = _("báo cáo hằng ngày")
        verbose_name_plural = _("báo cáo hằng ngày")
        ordering = ["-date", "centre__path"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "date"], name="daily_report_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(beds_occupied__isnull=True)
                | models.Q(beds_total__isnull=True)
                | models.Q(beds_occupied__lte=models.F("beds_total")),
                name="daily_report_beds_occupied_le_total",
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{code}__gte": 0}) | models.Q(**{f"{code}__isnull": True}),
                    name=f"daily_report_{code}_not_negative",
                )
                for code in CODES
            ],
        ]
        indexes = [
            # Completeness of a subtree for a day or a range: date, then the path prefix
            # (PostgreSQL needs the pattern operator class for LIKE 'prefix%').
            # state and on_time ride along so the counts are an index-only scan.
            models.Index(
                fields=["date", "centre_path", "state", "on_time"],
                name="daily_report_date_path",
                opclasses=["date_ops", "varchar_pattern_ops", "varchar_pattern_ops", "bool_ops"],
            ),
            models.Index(fields=["parent", "date"], name="daily_report_parent_date"),
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.date:%d/%m/%Y}"

    def clean(self) -> None:
        super().clean()
        if (
            self.beds_occupied is not None
            and self.beds_total is not None
            and self.beds_occupied > self.beds_total
        ):
            raise ValidationError(
                {
                    "beds_occupied": _(
                        "Số giường đang sử dụng (%(occupied)d) không được lớn hơn tổng số giường (%(total)d)."
                    )
                    % {"occupied": self.beds_occupied, "total": self.beds_total}
                }
            )

    @property
    def is_filed(self) -> bool:
        return self.state in (ReportState.SUBMITTED, ReportState.AMENDED)

    @property
    def day_status(self) -> DayStatus:
        return day_status(self.state, self.on_time)

    def figures(self) -> dict[str, int | None]:
        return {code: getattr(self, code) for code in CODES}

    def texts(self) -> dict[str, str]:
        return {
            "situation": self.situation,
            "sector_results": self.sector_results,
            "difficulties": self.difficulties,
            "recommendations": self.recommendations,
        }


def day_status(state: str | None, on_time: bool | None) -> DayStatus:
    if state == ReportState.AMENDED:
        return DayStatus.AMENDED
    if state == ReportState.SUBMITTED:
        return DayStatus.ON_TIME if on_time else DayStatus.LATE
    return DayStatus.MISSING


class ReportExtraValue(models.Model):
    """A figure for an indicator the province added (narrow table: few rows, any indicator)."""

    report = models.ForeignKey(DailyReport, on_delete=models.CASCADE, related_name="extra_values")
    code = models.CharField(max_length=40)
    value = models.IntegerField(
        null=True, blank=True, validators=[MinValueValidator(0, message=NOT_NEGATIVE)]
    )

    class Meta:
        verbose_name = _("số liệu chỉ tiêu bổ sung")
        verbose_name_plural = _("số liệu chỉ tiêu bổ sung")
        constraints = [
            models.UniqueConstraint(fields=["report", "code"], name="report_extra_value_unique"),
            models.CheckConstraint(
                condition=models.Q(value__gte=0) | models.Q(value__isnull=True),
                name="report_extra_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}={self.value}"


class ReportVersion(models.Model):
    """What was sent, each time it was sent: never changed afterwards."""

    report = models.ForeignKey(DailyReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("lần"))
    kind = models.CharField(_("loại"), max_length=10, choices=VersionKind.choices)
    created_at = models.DateTimeField(_("lúc"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("lý do sửa đổi"), blank=True)
    on_time = models.BooleanField(null=True)
    figures = models.JSONField(default=dict)
    extras = models.JSONField(default=dict)
    texts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("phiên bản báo cáo")
        verbose_name_plural = _("phiên bản báo cáo")
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_unique")]

    def __str__(self) -> str:
        return f"{self.report_id} #{self.number}"

    @property
    def figures_list(self) -> list[tuple[Any, Any]]:
        return [(BY_CODE[c].label, self.figures.get(c)) for c in CODES]
