"""API serializers for the intake logbook (issue 3 §8).

Input serializers check types and shapes only; the rules (phone, content, location,
time, urgency reason) live in ``IntakeRecord.clean`` and ``intake_create``, whose
ValidationError the API answers as a 400 problem with the same field names.
"""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chihuy.api.serializers import JurisdictionRefSerializer, StrictInputMixin
from chihuy.centres.choices import Sector
from chihuy.intake.choices import Channel, IntakeStatus
from chihuy.intake.models import IntakeRecord
from chihuy.jurisdictions.choices import Structure
from chihuy.jurisdictions.models import Jurisdiction


def choice_field(
    choices: list[tuple[str, Any]], *, as_pattern: bool = False, **kwargs: Any
) -> serializers.ChoiceField:
    """A ChoiceField whose values are written inline in the OpenAPI schema.

    Other apps already own the enum components named after ``status``, ``sectors`` and
    ``structure``. An inline enum gets its own component name from this field; for
    ``status``, whose name any second enum collides on, the values go in a pattern
    (until ``ENUM_NAME_OVERRIDES`` names IntakeStatus in the settings).
    """
    values: list[Any] = [value for value, _label in choices]
    if kwargs.get("allow_blank"):
        values.append("")
    schema: dict[str, Any] = {
        "type": "string",
        "description": "; ".join(f"`{value}`: {label}" for value, label in choices),
    }
    if as_pattern:
        schema["pattern"] = "^(" + "|".join(re.escape(v) for v in values) + ")$"
    else:
        schema["enum"] = values
    if kwargs.get("allow_null"):
        schema["nullable"] = True
    field_class = extend_schema_field(schema)(type("InlineChoiceField", (serializers.ChoiceField,), {}))
    return field_class(choices=choices, **kwargs)


class CentreBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_code = serializers.CharField()


class IntakeSerializer(serializers.ModelSerializer):
    centre = CentreBriefSerializer(read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    # Null when the place was given only as an address.
    jurisdiction = JurisdictionRefSerializer(read_only=True, allow_null=True)
    forwarded_from = serializers.IntegerField(source="forwarded_from_id", read_only=True, allow_null=True)
    status = choice_field(IntakeStatus.choices, as_pattern=True, read_only=True)
    category = choice_field(Sector.choices, read_only=True)

    class Meta:
        model = IntakeRecord
        fields = [
            "id",
            "number",
            "centre",
            "received_at",
            "channel",
            "channel_display",
            "reporter_name",
            "reporter_phone",
            "reporter_org",
            "anonymous",
            "jurisdiction",
            "address",
            "category",
            "category_display",
            "content",
            "urgent",
            "urgency_reason",
            "received_by",
            "handler_member",
            "handler_agency",
            "status",
            "status_display",
            "result",
            "reporter_told",
            "source",
            "tracking_code",
            "forwarded_from",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class IntakeAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__", help_text=_("Tên tệp khi được gửi lên."))
    url = serializers.SerializerMethodField(
        help_text=_("Địa chỉ API tải tệp (cần khoá API như mọi yêu cầu).")
    )

    def get_url(self, obj: Any) -> str:
        return reverse("api:intake-attachment", args=[obj.record_id, obj.pk])


class IntakeDetailSerializer(IntakeSerializer):
    attachments = IntakeAttachmentSerializer(many=True, read_only=True)

    class Meta(IntakeSerializer.Meta):
        fields = [*IntakeSerializer.Meta.fields, "attachments"]
        read_only_fields = fields


class IntakeCentreSerializer(serializers.Serializer):
    centre = serializers.IntegerField(help_text=_("Trung tâm nhận thông tin; cần vai trò trực tại đó."))


# Channels an integration may claim; "forwarded" is only ever set by the forwarding service.
API_CHANNELS = [c for c in Channel.choices if c[0] != Channel.FORWARDED]


class IntakeCreateSerializer(StrictInputMixin, serializers.Serializer):
    centre = serializers.IntegerField(help_text=_("Trung tâm nhận thông tin; cần vai trò trực tại đó."))
    received_at = serializers.DateTimeField(
        required=False, help_text=_("Thời gian tiếp nhận; mặc định là lúc gửi. Không được ở tương lai.")
    )
    channel = serializers.ChoiceField(choices=API_CHANNELS, required=False, default=Channel.HOTLINE)
    reporter_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Số Việt Nam, ví dụ 0912345678 hoặc +84912345678; bắt buộc trừ khi giấu tên."),
    )
    reporter_org = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    anonymous = serializers.BooleanField(required=False, default=False)
    jurisdiction_code = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text=_("Mã đơn vị hành chính (TCTK) nơi xảy ra sự việc; hoặc ghi địa chỉ."),
    )
    jurisdiction_structure = choice_field(
        Structure.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Cấu trúc của mã; mặc định theo địa bàn của trung tâm."),
    )
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    category = choice_field(Sector.choices, required=False, default=Sector.OTHER)
    # Blank is let through so the service's own message ("Nhập nội dung…") answers it.
    content = serializers.CharField(allow_blank=True, trim_whitespace=True)
    urgent = serializers.BooleanField(required=False, default=False)
    urgency_reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        code = attrs.pop("jurisdiction_code", None)
        structure = attrs.pop("jurisdiction_structure", None)
        attrs["jurisdiction"] = None
        if code is not None:
            centre = self.context.get("centre")
            if structure is None:
                home = getattr(centre, "jurisdiction", None)
                structure = home.structure if home is not None else Structure.CURRENT
            # Codes repeat across levels in principle; the lowest unit wins, as a caller means a place.
            unit = Jurisdiction.objects.filter(structure=structure, code=code).order_by("-level").first()
            if unit is None:
                raise serializers.ValidationError(
                    {
                        "jurisdiction_code": [
                            _("Không có đơn vị hành chính mang mã %(code)s.") % {"code": code}
                        ]
                    }
                )
            attrs["jurisdiction"] = unit
        return attrs


class IntakeListQuerySerializer(serializers.Serializer):
    centre = serializers.IntegerField(help_text=_("Sổ theo dõi của trung tâm này."))
    include_below = serializers.BooleanField(
        required=False, default=False, help_text=_("Gồm cả các trung tâm cấp dưới.")
    )
    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None)
    status = choice_field(IntakeStatus.choices, as_pattern=True, required=False, allow_blank=True, default="")
    urgent = serializers.BooleanField(required=False, allow_null=True, default=None)
    category = choice_field(Sector.choices, required=False, allow_blank=True, default="")
    q = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": [_("Ngày kết thúc phải sau ngày bắt đầu.")]})
        return attrs


class SmsInboundSerializer(serializers.Serializer):
    """What an SMS gateway posts: the sender and the text, and optionally when it arrived."""

    sender = serializers.CharField(max_length=20, help_text=_("Số điện thoại người gửi."))
    text = serializers.CharField(allow_blank=True, max_length=5000)
    received_at = serializers.DateTimeField(required=False)
