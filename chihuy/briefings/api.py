"""Read endpoints for briefings and attendance (issue 6 §9), mounted at /api/v1/.

Every view fetches through the permission layer: the centre with ``access_centre`` and a
briefing with ``Briefing.objects.visible_to`` (404 when not visible).
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from chihuy.api.base import ApiView
from chihuy.api.schema import JSON, problems
from chihuy.briefings import selectors
from chihuy.briefings.models import AbsenceRequest, BridgePoint, Participant
from chihuy.briefings.serializers import (
    AttendanceQuerySerializer,
    AttendanceSerializer,
    BriefingDetailSerializer,
    BriefingListQuerySerializer,
    BriefingSerializer,
)
from chihuy.centres.access import access_centre


class BriefingListView(ApiView):
    @extend_schema(
        operation_id="briefings_list",
        summary="Các cuộc giao ban của một trung tâm",
        parameters=[BriefingListQuerySerializer],
        responses={(200, JSON): BriefingSerializer(many=True), **problems(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        params = self.query_params(BriefingListQuerySerializer)
        centre = access_centre(request.user, params.pop("centre"))
        return self.paginated(
            selectors.briefing_list(user=request.user, centre=centre, **params), BriefingSerializer
        )


class BriefingDetailView(ApiView):
    pagination_class = None

    @extend_schema(
        operation_id="briefings_retrieve",
        summary="Một cuộc giao ban: điểm cầu, người dự và điểm danh",
        responses={200: BriefingDetailSerializer, **problems(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        briefing = selectors.briefing_get(user=request.user, pk=pk)
        prefetch_related_objects(
            [briefing],
            Prefetch("points", queryset=BridgePoint.objects.order_by("order", "id")),
            Prefetch("participants", queryset=_participants()),
        )
        return Response(BriefingDetailSerializer(briefing).data)


def _participants() -> QuerySet[Participant]:
    return (
        Participant.objects.select_related("user", "centre")
        .prefetch_related(Prefetch("absences", queryset=AbsenceRequest.objects.select_related("decided_by")))
        .order_by("id")
    )


class BriefingAttendanceView(ApiView):
    @extend_schema(
        operation_id="briefings_attendance_list",
        summary="Điểm danh của một cuộc giao ban",
        parameters=[AttendanceQuerySerializer],
        responses={(200, JSON): AttendanceSerializer(many=True), **problems(400, 401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        briefing = selectors.briefing_get(user=request.user, pk=pk)
        params = self.query_params(AttendanceQuerySerializer)
        rows = _participants().filter(briefing=briefing)
        if params["attendance"]:
            rows = rows.filter(attendance=params["attendance"])
        if params["point"] is not None:
            rows = rows.filter(point_id=params["point"])
        return self.paginated(rows, AttendanceSerializer)
