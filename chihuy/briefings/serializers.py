"""API serializers for briefings and attendance (issue 6 §9). Read-only."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from chihuy.briefings.choices import (
    AbsenceStatus,
    Attendance,
    BriefingKind,
    BriefingStatus,
    PointKind,
    VenueKind,
)
from chihuy.briefings.models import AbsenceRequest, BridgePoint, Briefing, Participant
from chihuy.centres.api import UserBriefSerializer
from chihuy.intake.serializers import CentreBriefSerializer, choice_field


class BridgePointSerializer(serializers.ModelSerializer):
    kind = choice_field(PointKind.choices, as_pattern=True, read_only=True)
    centre = serializers.IntegerField(source="centre_id", read_only=True, allow_null=True)

    class Meta:
        model = BridgePoint
        fields = ["id", "kind", "centre", "label", "location"]


class AbsenceSerializer(serializers.ModelSerializer):
    status = choice_field(AbsenceStatus.choices, as_pattern=True, read_only=True)
    decided_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = AbsenceRequest
        fields = ["id", "reason", "status", "requested_at", "decided_by", "decided_at", "decision_note"]


class AttendanceSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    centre = CentreBriefSerializer(read_only=True)
    point = serializers.IntegerField(source="point_id", read_only=True)
    attended_point = serializers.IntegerField(source="attended_point_id", read_only=True, allow_null=True)
    attendance = choice_field(Attendance.choices, as_pattern=True, read_only=True)
    attendance_display = serializers.CharField(source="get_attendance_display", read_only=True)
    absences = AbsenceSerializer(many=True, read_only=True)

    class Meta:
        model = Participant
        fields = [
            "id",
            "user",
            "centre",
            "point",
            "attendance",
            "attendance_display",
            "attended_point",
            "marked_at",
            "absences",
        ]


class BriefingSerializer(serializers.ModelSerializer):
    centre = CentreBriefSerializer(read_only=True)
    chair = UserBriefSerializer(read_only=True, allow_null=True)
    kind = choice_field(BriefingKind.choices, as_pattern=True, read_only=True)
    status = choice_field(BriefingStatus.choices, as_pattern=True, read_only=True)
    venue_kind = choice_field(VenueKind.choices, as_pattern=True, read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    change_deadline = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Briefing
        fields = [
            "id",
            "centre",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "chair",
            "venue_kind",
            "venue",
            "video_url",
            "status",
            "change_deadline",
            "minutes_published_at",
        ]


class BriefingDetailSerializer(BriefingSerializer):
    points = BridgePointSerializer(many=True, read_only=True)
    participants = AttendanceSerializer(many=True, read_only=True)
    minutes_summary = serializers.CharField(read_only=True)

    class Meta(BriefingSerializer.Meta):
        fields = [*BriefingSerializer.Meta.fields, "minutes_summary", "points", "participants"]


class BriefingListQuerySerializer(serializers.Serializer):
    centre = serializers.IntegerField(help_text=_("Các cuộc họp của trung tâm này."))
    joined = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Gồm cả cuộc họp cấp trên mà trung tâm dự với tư cách điểm cầu."),
    )
    when = choice_field(
        [("upcoming", _("Sắp tới")), ("past", _("Đã qua"))], required=False, allow_blank=True, default=""
    )
    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None)
    kind = choice_field(BriefingKind.choices, as_pattern=True, required=False, allow_blank=True, default="")
    status = choice_field(
        BriefingStatus.choices, as_pattern=True, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": [_("Ngày kết thúc phải sau ngày bắt đầu.")]})
        return attrs


class AttendanceQuerySerializer(serializers.Serializer):
    attendance = choice_field(
        Attendance.choices, as_pattern=True, required=False, allow_blank=True, default=""
    )
    point = serializers.IntegerField(required=False, allow_null=True, default=None)
