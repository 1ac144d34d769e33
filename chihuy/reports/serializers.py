"""API serializers of the daily reports (issue 5 §8).

Input serializers check types and shapes; the rules (no future day, closed days, beds,
timeliness, amendments) live in ``chihuy.reports.services``, whose errors the API answers
as a 400 problem naming the same fields (``figures.beds_occupied``, ``date``, ``reason``…).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from chihuy.api.serializers import StrictInputMixin
from chihuy.reports.indicators import STANDARD
from chihuy.reports.models import DailyReport

NUMBER_ERRORS: dict[str, Any] = {
    "invalid": _("Hãy nhập một số nguyên, không phải chữ."),
    "min_value": _("Số liệu không được là số âm."),
    "max_value": _("Số liệu quá lớn."),
    "max_string_length": _("Số liệu quá lớn."),
}


class NoUnknownKeysMixin:
    """A nested object refuses keys it does not know (``StrictInputMixin`` only sees the top level)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))  # type: ignore[attr-defined]
            if unknown:
                raise serializers.ValidationError(
                    {k: [_("Trường này không được phép sửa.")] for k in unknown}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


def _figure_fields(read_only: bool) -> dict[str, serializers.Field]:
    return {
        i.code: serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=0,
            max_value=2_000_000_000,
            read_only=read_only,
            help_text=f"{i.label} ({i.unit}); {'cộng dồn theo ngày' if i.is_flow else 'lấy số mới nhất'}",
            error_messages=NUMBER_ERRORS,
        )
        for i in STANDARD
    }


FiguresSerializer = type(
    "ReportFiguresSerializer",
    (NoUnknownKeysMixin, serializers.Serializer),
    {"__doc__": "Các chỉ tiêu chung; để trống (null) là chưa có số liệu.", **_figure_fields(False)},
)
FiguresOutSerializer = type(
    "ReportFiguresOutSerializer",
    (serializers.Serializer,),
    {"__doc__": "Các chỉ tiêu chung của báo cáo.", **_figure_fields(True)},
)


class TextsSerializer(NoUnknownKeysMixin, serializers.Serializer):
    situation = serializers.CharField(required=False, allow_blank=True, help_text=_("Tình hình dịch bệnh"))
    sector_results = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Kết quả theo lĩnh vực")
    )
    difficulties = serializers.CharField(required=False, allow_blank=True, help_text=_("Khó khăn, vướng mắc"))
    recommendations = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Kiến nghị, đề xuất")
    )


class ReportCentreRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_code = serializers.CharField()


class ReportSerializer(serializers.ModelSerializer):
    centre = ReportCentreRefSerializer(read_only=True)
    parent = ReportCentreRefSerializer(read_only=True, allow_null=True)
    status = serializers.SerializerMethodField(help_text="missing | on_time | late | amended")
    figures = FiguresOutSerializer(source="*", read_only=True)
    extras = serializers.SerializerMethodField()
    texts = TextsSerializer(source="*", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True, allow_null=True)

    class Meta:
        model = DailyReport
        fields = [
            "id",
            "centre",
            "parent",
            "date",
            "state",
            "status",
            "on_time",
            "deadline_at",
            "submitted_at",
            "amended_at",
            "version",
            "source",
            "template_version",
            "figures",
            "extras",
            "texts",
        ]
        read_only_fields = fields

    def get_status(self, obj: DailyReport) -> str:
        return str(obj.day_status.value)

    def get_extras(self, obj: DailyReport) -> dict[str, int | None]:
        return {ev.code: ev.value for ev in obj.extra_values.all()}


class ReportSubmitSerializer(StrictInputMixin, serializers.Serializer):
    centre = serializers.IntegerField(
        help_text=_("Trung tâm báo cáo; cần vai trò trực, thường trực hoặc chỉ huy tại đó.")
    )
    date = serializers.DateField(help_text=_("Ngày báo cáo (yyyy-mm-dd); không được ở tương lai."))
    figures = FiguresSerializer(required=False, default=dict)
    extras = serializers.DictField(
        child=serializers.IntegerField(allow_null=True, min_value=0, error_messages=NUMBER_ERRORS),
        required=False,
        default=dict,
        help_text=_("Chỉ tiêu tỉnh bổ sung: {mã: số}."),
    )
    texts = TextsSerializer(required=False, default=dict)
    submit = serializers.BooleanField(
        required=False, default=True, help_text=_("false: chỉ lưu bản nháp, chưa nộp.")
    )


class ReportCentreSerializer(serializers.Serializer):
    centre = serializers.IntegerField()


class ReportAmendSerializer(StrictInputMixin, serializers.Serializer):
    figures = FiguresSerializer(required=False, default=dict, help_text=_("Chỉ các chỉ tiêu cần sửa."))
    extras = serializers.DictField(
        child=serializers.IntegerField(allow_null=True, min_value=0, error_messages=NUMBER_ERRORS),
        required=False,
        default=dict,
    )
    texts = TextsSerializer(required=False, default=dict)
    reason = serializers.CharField(
        allow_blank=True,
        help_text=_("Lý do sửa đổi (bắt buộc)."),
        error_messages={"required": _("Hãy ghi lý do sửa đổi báo cáo đã nộp.")},
    )


class RangeQuerySerializer(serializers.Serializer):
    centre = serializers.IntegerField()
    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": [_("Ngày kết thúc phải sau ngày bắt đầu.")]})
        if start and end and (end - start).days > 366:
            raise serializers.ValidationError({"date_to": [_("Khoảng thời gian tối đa là 366 ngày.")]})
        return attrs


class ReportListQuerySerializer(RangeQuerySerializer):
    below = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("true: báo cáo các đơn vị cấp dưới trực tiếp gửi trung tâm này."),
    )


class RateSerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    filed = serializers.IntegerField()
    on_time = serializers.IntegerField()
    missing = serializers.IntegerField()
    completeness_pct = serializers.FloatField(allow_null=True)
    on_time_pct = serializers.FloatField(allow_null=True)


class ChildRateSerializer(RateSerializer):
    centre = ReportCentreRefSerializer()
    status = serializers.CharField(allow_null=True, help_text="missing | on_time | late | amended (một ngày)")
    report = serializers.IntegerField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)


class CompletenessSerializer(serializers.Serializer):
    centre = ReportCentreRefSerializer()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    pooled = RateSerializer(help_text=_("Gộp toàn bộ đơn vị cấp dưới (mọi cấp)."))
    children = ChildRateSerializer(
        many=True, help_text=_("Từng đơn vị cấp dưới trực tiếp, gộp cả cấp dưới của nó.")
    )
