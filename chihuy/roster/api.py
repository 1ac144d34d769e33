"""REST endpoints of the duty roster (mounted at /api/v1/): read the roster and who is on duty
now (R2, R4, R9), and request a swap. Same rules as the pages: not visible → 404, visible but
not allowed → 403, a service's ValidationError → 400 problem."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from chihuy.api.base import ApiView
from chihuy.api.schema import problems
from chihuy.api.serializers import StrictInputMixin
from chihuy.centres.access import Action, access_centre, access_scoped, can
from chihuy.centres.models import Member
from chihuy.roster import selectors, services
from chihuy.roster.calendar import local_midnight
from chihuy.roster.models import Assignment

MAX_RANGE_DAYS = 62


class PersonSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="user.get_full_name")
    role = serializers.CharField()
    agency = serializers.CharField(source="agency.name", allow_null=True, default=None)
    phone = serializers.CharField()


class AssignmentSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.user.get_full_name", read_only=True)
    # A commander's or deputy's command duty belongs to no agency.
    agency_name = serializers.CharField(source="agency.name", read_only=True, allow_null=True, default=None)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    roster_status = serializers.CharField(source="roster.status", read_only=True)
    checked_in_at = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "roster",
            "roster_status",
            "member",
            "member_name",
            "agency",
            "agency_name",
            "role",
            "role_display",
            "start",
            "end",
            "is_night",
            "is_holiday",
            "checked_in_at",
        ]

    def get_checked_in_at(self, obj: Assignment) -> dt.datetime | None:
        checkin = getattr(obj, "checkin", None)
        return checkin.at if checkin else None


class OnDutySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    officers = PersonSerializer(many=True)
    backups = PersonSerializer(many=True)
    command = PersonSerializer(many=True)
    hotline_fallback = serializers.CharField()
    hotline_fallback_member = PersonSerializer(allow_null=True)


class RosterQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs: dict) -> dict:
        start = attrs.get("start") or timezone.localdate()
        end = attrs.get("end") or start + dt.timedelta(days=6)
        if end < start:
            raise serializers.ValidationError({"end": "Ngày kết thúc phải sau ngày bắt đầu."})
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            raise serializers.ValidationError({"end": f"Tối đa {MAX_RANGE_DAYS} ngày mỗi lần."})
        return {"start": start, "end": end}


class SwapCreateSerializer(StrictInputMixin, serializers.Serializer):
    counterpart = serializers.IntegerField(help_text="Mã thành viên nhận ca.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class SwapSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    assignment = serializers.IntegerField(source="assignment_id")
    counterpart = serializers.IntegerField(source="counterpart_id")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")


class CentreRosterView(ApiView):
    @extend_schema(
        operation_id="roster_list",
        summary="Lịch trực của trung tâm trong khoảng ngày (mặc định 7 ngày từ hôm nay)",
        parameters=[RosterQuerySerializer],
        responses={200: AssignmentSerializer(many=True), **problems(400, 401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        centre = access_centre(request.user, pk)
        q = self.query_params(RosterQuerySerializer)
        rows = selectors.assignments_between(
            centre=centre,
            start=local_midnight(q["start"]),
            end=local_midnight(q["end"] + dt.timedelta(days=1)),
            published_only=not can(request.user, centre, Action.EDIT),
        )
        return self.paginated(rows, AssignmentSerializer)


class CentreOnDutyView(ApiView):
    pagination_class = None

    @extend_schema(
        operation_id="roster_on_duty",
        summary="Ai đang trực: trực chính, dự phòng, trực chỉ huy và số chuyển tiếp đường dây nóng (R4)",
        responses={200: OnDutySerializer, **problems(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        centre = access_centre(request.user, pk)
        return Response(OnDutySerializer(selectors.on_duty_now(centre=centre)).data)


class SwapCreateView(ApiView):
    pagination_class = None

    @extend_schema(
        operation_id="roster_swap_request",
        summary="Xin đổi ca: chỉ người được phân công ca đó",
        request=SwapCreateSerializer,
        responses={201: SwapSerializer, **problems(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        assignment = access_scoped(
            request.user, Assignment.objects.select_related("centre", "roster", "member"), pk
        )
        if assignment.user_id != request.user.pk:
            raise PermissionDenied("Chỉ người được phân công mới xin đổi ca này.")
        data = self.body(SwapCreateSerializer)
        counterpart = Member.objects.filter(pk=data["counterpart"], centre=assignment.centre).first()
        if counterpart is None:
            raise serializers.ValidationError({"counterpart": "Không có thành viên này tại trung tâm."})
        swap = services.swap_request(
            assignment=assignment, user=request.user, counterpart=counterpart, reason=data["reason"]
        )
        return Response(SwapSerializer(swap).data, status=status.HTTP_201_CREATED)
