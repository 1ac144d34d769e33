"""API serializers of the announcement channel (issue 6 §9)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chihuy.announcements.models import Message
from chihuy.api.serializers import StrictInputMixin


class ReaderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="get_full_name")


class AttachmentRefSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("Tên tệp khi được gửi lên."))
    url = serializers.CharField(help_text=_("Địa chỉ API tải tệp (cần khoá API như mọi yêu cầu)."))


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    text_html = serializers.CharField(
        source="html", read_only=True, help_text=_("Nội dung, số hiệu đã thành liên kết.")
    )
    attachment = serializers.SerializerMethodField()
    intake_record_number = serializers.SerializerMethodField()
    read_count = serializers.IntegerField(read_only=True)
    read_total = serializers.IntegerField(read_only=True)
    readers = ReaderSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "centre",
            "author",
            "body",
            "text_html",
            "attachment",
            "important",
            "intake_record",
            "intake_record_number",
            "task",
            "created_at",
            "read_count",
            "read_total",
            "readers",
        ]
        read_only_fields = fields

    @extend_schema_field(ReaderSerializer)
    def get_author(self, obj: Any) -> dict[str, Any]:
        return {"id": obj.author_id, "name": obj.author.get_full_name()}

    @extend_schema_field(AttachmentRefSerializer(allow_null=True))
    def get_attachment(self, obj: Any) -> dict[str, str] | None:
        if not obj.attachment:
            return None
        return {"name": obj.attachment_name, "url": reverse("api:announcement-attachment", args=[obj.pk])}

    def get_intake_record_number(self, obj: Any) -> str | None:
        return (
            obj.intake_record.number
            if obj.intake_record_id and getattr(obj, "record_visible", False)
            else None
        )


class MessageListQuerySerializer(serializers.Serializer):
    centre = serializers.IntegerField(help_text=_("Kênh thông báo của trung tâm này."))


class MessageCreateSerializer(StrictInputMixin, serializers.Serializer):
    centre = serializers.IntegerField(help_text=_("Trung tâm của kênh; cần là thành viên."))
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    important = serializers.BooleanField(required=False, default=False, help_text=_("Gửi thêm thư điện tử."))
    intake_record = serializers.IntegerField(required=False, allow_null=True, default=None)
    task = serializers.IntegerField(required=False, allow_null=True, default=None)
    attachment = serializers.FileField(required=False, allow_null=True, default=None)


class MessageReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
