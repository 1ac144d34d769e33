"""REST endpoint for the change log: commanders and deputies read their subtree (R14)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from chihuy.api.base import ApiView
from chihuy.api.schema import JSON, problems
from chihuy.audit.models import AuditEntry
from chihuy.audit.selectors import audit_entries_for_user
from chihuy.centres.access import Action, access_centre, centres_where


class AuditEntrySerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    model = serializers.SerializerMethodField()
    centre = serializers.IntegerField(source="centre_id", read_only=True, allow_null=True)
    changes = serializers.JSONField(read_only=True, help_text="{trường: [trước, sau]}")

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "actor_label",
            "action",
            "action_display",
            "model",
            "object_id",
            "object_repr",
            "centre",
            "changes",
        ]
        read_only_fields = fields

    def get_model(self, obj: AuditEntry) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


class AuditQuerySerializer(serializers.Serializer):
    centre = serializers.IntegerField(required=False, allow_null=True, default=None)


class AuditListView(ApiView):
    @extend_schema(
        operation_id="audit_list",
        summary="Nhật ký thay đổi của các trung tâm mình lãnh đạo và cấp dưới",
        parameters=[AuditQuerySerializer],
        responses={(200, JSON): AuditEntrySerializer(many=True), **problems(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        user = request.user
        leading = centres_where(user, Action.VIEW_AUDIT)
        if not leading.exists():
            raise PermissionDenied
        centre = None
        centre_id = self.query_params(AuditQuerySerializer)["centre"]
        if centre_id is not None:
            centre = access_centre(user, centre_id)
            if not user.is_superuser and not any(centre.path.startswith(c.path) for c in leading):
                raise PermissionDenied
        return self.paginated(audit_entries_for_user(user=user, centre=centre), AuditEntrySerializer)
