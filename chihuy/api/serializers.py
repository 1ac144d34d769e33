"""Serializers shared by the API modules: strict input, problems, jurisdictions, the caller."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from chihuy.jurisdictions.choices import Level, Structure
from chihuy.jurisdictions.models import Jurisdiction


class StrictInputMixin:
    """Refuse fields the endpoint does not accept instead of silently ignoring them.

    A client that sends ``status`` in a PATCH learns it is not editable there, rather
    than believing the change was made.
    """

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)  # type: ignore[misc]
        writable = {name for name, field in self.fields.items() if not field.read_only}  # type: ignore[attr-defined]
        unknown = sorted(set(getattr(self, "initial_data", {})) - writable)
        if unknown:
            raise serializers.ValidationError(
                {name: [_("Trường này không được phép sửa.")] for name in unknown}
            )
        return attrs


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every error is answered."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)
    code = serializers.CharField(required=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        # "errors" would shadow Serializer.errors if declared as a class attribute.
        fields = super().get_fields()
        fields["errors"] = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text=_("Lỗi theo từng trường; lỗi chung nằm ở non_field_errors."),
        )
        return fields


class JurisdictionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Jurisdiction
        fields = ["id", "code", "name", "level", "structure"]


class JurisdictionSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    parent = JurisdictionRefSerializer(read_only=True)

    class Meta:
        model = Jurisdiction
        fields = ["id", "code", "name", "kind", "kind_display", "level", "structure", "parent"]


class JurisdictionQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    structure = serializers.ChoiceField(choices=Structure.choices, required=False, default=Structure.CURRENT)
    level = serializers.ChoiceField(choices=Level.choices, required=False, allow_null=True, default=None)
    within = serializers.PrimaryKeyRelatedField(
        queryset=Jurisdiction.objects.all(), required=False, allow_null=True, default=None
    )
    limit = serializers.IntegerField(min_value=1, max_value=50, required=False, default=20)
