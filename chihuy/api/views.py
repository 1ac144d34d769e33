"""API endpoints that belong to no domain app: the caller, jurisdiction search, docs."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from chihuy.api.base import ApiView
from chihuy.api.schema import JSON, problems
from chihuy.api.serializers import JurisdictionQuerySerializer, JurisdictionSerializer
from chihuy.centres.access import ACTION_ROLES, can, memberships
from chihuy.jurisdictions.selectors import jurisdiction_search


class CentreRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_code = serializers.CharField()
    level = serializers.CharField()
    status = serializers.CharField()


class RoleSerializer(serializers.Serializer):
    member_id = serializers.IntegerField()
    role = serializers.CharField()
    role_display = serializers.CharField()
    title = serializers.CharField()


class CentreRolesSerializer(serializers.Serializer):
    centre = CentreRefSerializer()
    roles = RoleSerializer(many=True)
    actions = serializers.ListField(
        child=serializers.CharField(), help_text="Các thao tác được phép tại đây."
    )


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.CharField()
    is_superuser = serializers.BooleanField()
    centres = CentreRolesSerializer(many=True)


def _me(user: Any) -> dict[str, Any]:
    centres: dict[int, dict[str, Any]] = {}
    for m in memberships(user):
        entry = centres.setdefault(
            m.centre_id,
            {
                "centre": m.centre,
                "roles": [],
                "actions": sorted(a.value for a in ACTION_ROLES if can(user, m.centre, a)),
            },
        )
        entry["roles"].append(
            {"member_id": m.pk, "role": m.role, "role_display": m.get_role_display(), "title": m.title}
        )
    return {
        "id": user.pk,
        "username": user.get_username(),
        "full_name": user.full_name,
        "email": user.email,
        "is_superuser": user.is_superuser,
        "centres": list(centres.values()),
    }


class MeView(ApiView):
    pagination_class = None

    @extend_schema(
        operation_id="me",
        summary="Người gọi API và vai trò của họ tại từng trung tâm",
        responses={200: MeSerializer, **problems(401)},
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(_me(request.user)).data)


class JurisdictionSearchView(ApiView):
    """Jurisdictions are public reference data; any authenticated caller may search them."""

    pagination_class = None

    @extend_schema(
        operation_id="jurisdictions_search",
        summary="Tìm đơn vị hành chính theo tên hoặc mã",
        parameters=[JurisdictionQuerySerializer],
        responses={(200, JSON): JurisdictionSerializer(many=True), **problems(400, 401)},
    )
    def get(self, request: Request) -> Response:
        params = self.query_params(JurisdictionQuerySerializer)
        units = jurisdiction_search(
            query=params["q"],
            structure=params["structure"],
            level=params["level"],
            within=params["within"],
            limit=params["limit"],
        )
        return Response(JurisdictionSerializer(units, many=True).data)


@extend_schema(exclude=True)
class NotFoundView(ApiView):
    """Unknown addresses under /api/v1/ answer with a problem too, not an HTML page."""

    permission_classes = [AllowAny]
    throttle_classes = []

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        raise exceptions.NotFound


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's static files, under our Content-Security-Policy.

    The split view serves its start-up script from this URL (``?script``), so no
    inline script is needed; the page's own few style rules are a static file.
    """

    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
