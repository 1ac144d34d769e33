"""API serializers for tasks and directives (issue 6 §9). Input serializers check shapes;
the rules (deadline, assignee, reasons) live in the services, whose ValidationError the
API answers as a 400 problem naming the same fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chihuy.api.serializers import StrictInputMixin
from chihuy.directives.choices import (
    ASSIGNEE_ACTIONS,
    AssigneeKind,
    Priority,
    SourceKind,
    TaskStatus,
    UpdateKind,
)
from chihuy.directives.models import Assignment, Task, TaskUpdate
from chihuy.intake.serializers import CentreBriefSerializer, choice_field

CALLER_SOURCES = [(k.value, k.label) for k in SourceKind if k != SourceKind.ESCALATED]


@extend_schema_field(
    {
        "type": "string",
        "description": (
            "ISO 8601: `2026-11-23T17:00:00+07:00`, hoặc chỉ ngày `2026-11-23` "
            "(= 23:59 ngày đó, giờ Việt Nam)."
        ),
        "example": "2026-11-23T17:00:00+07:00",
    }
)
class DeadlineField(serializers.Field):
    default_error_messages = {
        "invalid": _("Hạn hoàn thành không hợp lệ; dùng dạng 2026-11-23T17:00:00+07:00 hoặc 2026-11-23."),
    }

    def to_internal_value(self, data: Any) -> dt.datetime | dt.date:
        if not isinstance(data, str):
            self.fail("invalid")
        if len(data) == 10:
            try:
                return dt.date.fromisoformat(data)
            except ValueError:
                self.fail("invalid")
        try:
            return serializers.DateTimeField().to_internal_value(data)
        except serializers.ValidationError:
            self.fail("invalid")

    def to_representation(self, value: Any) -> str:
        return serializers.DateTimeField().to_representation(value)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__", help_text=_("Tên tệp khi được gửi lên."))
    url = serializers.SerializerMethodField(
        help_text=_("Địa chỉ API tải tệp (cần khoá API như mọi yêu cầu).")
    )

    def get_url(self, obj: Any) -> str:
        return reverse("api:task-attachment", args=[obj.update.task_id, obj.pk])


class DocumentSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("Tên tệp khi được gửi lên."))
    url = serializers.CharField(help_text=_("Địa chỉ API tải tệp văn bản."))


class TaskUpdateSerializer(serializers.ModelSerializer):
    kind = choice_field(UpdateKind.choices, as_pattern=True, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    author = serializers.CharField(source="author.get_full_name", read_only=True, default="")
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = TaskUpdate
        fields = [
            "id",
            "assignment",
            "kind",
            "kind_display",
            "note",
            "progress",
            "author",
            "at",
            "attachments",
        ]
        read_only_fields = fields


class TaskAssignmentSerializer(serializers.ModelSerializer):
    assignee = serializers.CharField(source="assignee_label", read_only=True)
    assignee_centre = CentreBriefSerializer(read_only=True, allow_null=True)
    status = choice_field(TaskStatus.choices, as_pattern=True, read_only=True)
    board_status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="board_status_label", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "assignee",
            "assignee_member",
            "assignee_agency",
            "assignee_centre",
            "status",
            "board_status",
            "status_display",
            "progress",
            "reason",
            "accepted_at",
            "closed_at",
        ]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    centre = CentreBriefSerializer(read_only=True)
    status = choice_field(TaskStatus.choices, as_pattern=True, read_only=True)
    board_status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="board_status_label", read_only=True)
    priority_display = serializers.CharField(source="get_priority_display", read_only=True)
    source_kind_display = serializers.CharField(source="get_source_kind_display", read_only=True)
    deadline = DeadlineField(read_only=True)
    priority = choice_field(Priority.choices, as_pattern=True, read_only=True)
    source_kind = choice_field(SourceKind.choices, as_pattern=True, read_only=True)
    assignee_kind = choice_field(AssigneeKind.choices, as_pattern=True, read_only=True)
    assignments = TaskAssignmentSerializer(source="shown_assignments", many=True, read_only=True)
    escalated_from = serializers.IntegerField(source="escalated_from_id", read_only=True, allow_null=True)
    created_by = serializers.CharField(source="created_by.get_full_name", read_only=True, default="")
    document = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "centre",
            "title",
            "description",
            "source_kind",
            "source_kind_display",
            "source_object_id",
            "document_number",
            "document",
            "assignee_kind",
            "deadline",
            "priority",
            "priority_display",
            "status",
            "board_status",
            "status_display",
            "progress",
            "escalated_from",
            "created_by",
            "created_at",
            "updated_at",
            "assignments",
        ]
        read_only_fields = fields

    @extend_schema_field(DocumentSerializer(allow_null=True))
    def get_document(self, obj: Task) -> dict[str, str] | None:
        if not obj.document_file:
            return None
        return {"name": obj.document_label, "url": reverse("api:task-document", args=[obj.pk])}


class TaskDetailSerializer(TaskSerializer):
    updates = serializers.SerializerMethodField()

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "updates"]
        read_only_fields = fields

    @extend_schema_field(TaskUpdateSerializer(many=True))
    def get_updates(self, obj: Any) -> Any:
        return TaskUpdateSerializer(self.context.get("history", []), many=True).data


class TaskCentreSerializer(serializers.Serializer):
    centre = serializers.IntegerField(
        help_text=_("Trung tâm giao nhiệm vụ; cần vai trò chỉ huy hoặc thường trực tại đó.")
    )


class TaskCreateSerializer(StrictInputMixin, serializers.Serializer):
    centre = serializers.IntegerField(help_text=_("Trung tâm giao nhiệm vụ."))
    title = serializers.CharField(max_length=255, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    source_kind = choice_field(CALLER_SOURCES, as_pattern=True, required=False, default=SourceKind.OTHER)
    source_intake = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("Mã (id) thông tin tiếp nhận là nguồn.")
    )
    document_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    assignee_member = serializers.IntegerField(required=False, allow_null=True, default=None)
    assignee_agency = serializers.IntegerField(required=False, allow_null=True, default=None)
    assignee_centres = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text=_("Các trung tâm cấp dưới trực tiếp."),
    )
    deadline = DeadlineField()
    priority = choice_field(Priority.choices, as_pattern=True, required=False, default=Priority.NORMAL)


class TaskPatchSerializer(StrictInputMixin, serializers.Serializer):
    title = serializers.CharField(max_length=255, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    document_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    deadline = DeadlineField(required=False)
    priority = choice_field(Priority.choices, as_pattern=True, required=False)


class AssignmentUpdateInputSerializer(StrictInputMixin, serializers.Serializer):
    kind = choice_field(ASSIGNEE_ACTIONS, as_pattern=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    progress = serializers.IntegerField(required=False, allow_null=True, default=None)
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text=_("Gửi dạng multipart/form-data."),
    )


class AssignmentUpdateResultSerializer(serializers.Serializer):
    entry = TaskUpdateSerializer(help_text=_("Dòng diễn biến vừa ghi."))
    assignment = TaskAssignmentSerializer()


class TaskListQuerySerializer(serializers.Serializer):
    centre = serializers.IntegerField(
        help_text=_("Nhiệm vụ do trung tâm này giao (hoặc được giao, với scope=received).")
    )
    scope = choice_field(
        [("given", _("Đã giao đi")), ("received", _("Được cấp trên giao"))], required=False, default="given"
    )
    status = choice_field(TaskStatus.choices, as_pattern=True, required=False, allow_blank=True, default="")
    priority = choice_field(Priority.choices, as_pattern=True, required=False, allow_blank=True, default="")
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
