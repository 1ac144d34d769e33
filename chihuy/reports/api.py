"""REST endpoints of the daily reports (issue 5 §8), mounted at /api/v1/.

Same shape as ``chihuy.intake.api``: every view fetches through the permission layer
(``chihuy.reports.access`` on top of ``access_centre``): not visible → 404, visible but
the role may not file → 403. Input is checked by a serializer, then the one service runs;
a rule it enforces comes back as a 400 problem naming the field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from chihuy.api.base import ApiView
from chihuy.api.errors import django_validation_errors
from chihuy.api.schema import JSON, problems
from chihuy.reports import selectors, services
from chihuy.reports.access import ReportAction, access_report_centre
from chihuy.reports.choices import Source
from chihuy.reports.indicators import CODES
from chihuy.reports.serializers import (
    CompletenessSerializer,
    RangeQuerySerializer,
    ReportAmendSerializer,
    ReportCentreSerializer,
    ReportListQuerySerializer,
    ReportSerializer,
    ReportSubmitSerializer,
)


def _field_name(name: str) -> str:
    if name in CODES:
        return f"figures.{name}"
    if name.startswith("extra_"):
        return f"extras.{name.removeprefix('extra_')}"
    if name in services.TEXT_FIELDS:
        return f"texts.{name}"
    return name


def _service_errors(exc: DjangoValidationError) -> exceptions.ValidationError:
    errors = {_field_name(k): v for k, v in django_validation_errors(exc).items()}
    return exceptions.ValidationError(errors)


class ReportListView(ApiView):
    @extend_schema(
        operation_id="reports_list",
        summary="Báo cáo hằng ngày của một trung tâm (hoặc của các đơn vị cấp dưới gửi trung tâm đó)",
        parameters=[ReportListQuerySerializer],
        responses={(200, JSON): ReportSerializer(many=True), **problems(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        params = self.query_params(ReportListQuerySerializer)
        centre = access_report_centre(request.user, params["centre"])
        reports = selectors.report_list(
            user=request.user,
            centre=centre,
            date_from=params["date_from"],
            date_to=params["date_to"],
            below=params["below"],
        )
        return self.paginated(reports, ReportSerializer)

    @extend_schema(
        operation_id="reports_submit",
        summary="Nộp (hoặc lưu nháp) báo cáo hằng ngày của một trung tâm",
        request=ReportSubmitSerializer,
        responses={201: ReportSerializer, **problems(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        # The centre and the role first: a caller without the right learns nothing from validation.
        centre = access_report_centre(
            request.user, self.body(ReportCentreSerializer)["centre"], ReportAction.FILE
        )
        data = self.body(ReportSubmitSerializer)
        kwargs: dict[str, Any] = {
            "centre": centre,
            "day": data["date"],
            "figures": dict(data["figures"]),
            "extras": dict(data["extras"]),
            "texts": dict(data["texts"]),
            "source": Source.API,
        }
        try:
            if data["submit"]:
                report = services.report_submit(user=request.user, **kwargs)
            else:
                report = services.report_save_draft(**kwargs)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        report = selectors.report_get(user=request.user, pk=report.pk)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ReportDetailView(ApiView):
    @extend_schema(
        operation_id="reports_retrieve",
        summary="Một báo cáo hằng ngày",
        responses={200: ReportSerializer, **problems(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ReportSerializer(selectors.report_get(user=request.user, pk=pk)).data)


class ReportAmendView(ApiView):
    pagination_class = None

    @extend_schema(
        operation_id="reports_amend",
        summary="Sửa đổi báo cáo đã nộp (giữ phiên bản cũ, đánh dấu đã sửa đổi)",
        description="Chỉ gửi các chỉ tiêu cần sửa; các chỉ tiêu không gửi giữ nguyên. Bắt buộc có lý do.",
        request=ReportAmendSerializer,
        responses={200: ReportSerializer, **problems(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        report = selectors.report_get(user=request.user, pk=pk, action=ReportAction.FILE)
        data = self.body(ReportAmendSerializer)
        try:
            services.report_amend(
                report=report,
                figures=dict(data["figures"]),
                extras=dict(data["extras"]),
                texts=dict(data["texts"]),
                reason=data["reason"],
                user=request.user,
            )
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        return Response(ReportSerializer(selectors.report_get(user=request.user, pk=pk)).data)


class CompletenessView(ApiView):
    pagination_class = None

    @extend_schema(
        operation_id="reports_completeness",
        summary="Tỷ lệ báo cáo đầy đủ và đúng hạn của một trung tâm trong một ngày hoặc một khoảng ngày",
        description="Mặc định là hôm nay. Tỷ lệ đúng hạn tính trên số báo cáo phải nộp.",
        parameters=[RangeQuerySerializer],
        responses={200: CompletenessSerializer, **problems(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        params = self.query_params(RangeQuerySerializer)
        centre = access_report_centre(request.user, params["centre"])
        today = timezone.localdate()
        start = params["date_from"] or params["date_to"] or today
        end = params["date_to"] or start
        return Response(selectors.completeness(centre=centre, date_from=start, date_to=end).as_dict())
