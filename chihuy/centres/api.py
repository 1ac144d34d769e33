"""REST endpoints for centres, their members and member agencies (mounted at /api/v1/).

Thin views, like ``views.py``: each one fetches through the permission layer
(``access_centre`` / ``access_scoped``, or the selectors built on ``visible_centres``),
so lists below a centre are scoped by that access-checked centre. It validates its input with a
serializer, calls a service or selector, and serializes the result. Not visible → 404,
visible but not allowed → 403; a service's ValidationError becomes a 400 problem.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from chihuy.api.base import ApiView, FileDownloadView
from chihuy.api.schema import JSON, file_download, problems
from chihuy.api.serializers import JurisdictionRefSerializer, StrictInputMixin
from chihuy.centres import selectors, services
from chihuy.centres.access import Action, access_centre, access_scoped
from chihuy.centres.choices import CentreLevel, CentreStatus, Role, Sector
from chihuy.centres.models import Agency, Centre, Member
from chihuy.core.files import serve_file
from chihuy.jurisdictions.models import Jurisdiction

# Documents are uploaded through the web form; the JSON API lists them with their download addresses.
_FILE_FIELDS = ("decision_file", "rules_document")
API_EDITABLE_FIELDS = [f for f in services.CENTRE_EDITABLE_FIELDS if f not in _FILE_FIELDS]


# --- serializers ------------------------------------------------------------------------------


class DocumentRefSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("Tên tệp khi được gửi lên."))
    url = serializers.CharField(help_text=_("Địa chỉ API tải tệp (cần khoá API như mọi yêu cầu)."))


class CentreDocumentsSerializer(serializers.Serializer):
    decision = DocumentRefSerializer(allow_null=True, help_text=_("Tệp quyết định thành lập."))
    rules = DocumentRefSerializer(allow_null=True, help_text=_("Tệp quy chế hoạt động."))


class CentreSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    jurisdiction = JurisdictionRefSerializer(read_only=True)
    has_rules = serializers.BooleanField(read_only=True)
    has_decision_file = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta:
        model = Centre
        fields = [
            "id",
            "name",
            "short_code",
            "level",
            "level_display",
            "status",
            "status_display",
            "parent",
            "jurisdiction",
            "region",
            *[f for f in API_EDITABLE_FIELDS if f not in ("name", "short_code")],
            "has_decision_file",
            "has_rules",
            "documents",
            "proposed_on",
            "established_on",
            "activated_on",
            "dissolved_on",
        ]
        read_only_fields = fields

    def get_has_decision_file(self, obj: Centre) -> bool:
        return bool(obj.decision_file)

    @extend_schema_field(CentreDocumentsSerializer)
    def get_documents(self, obj: Centre) -> dict[str, dict[str, str] | None]:
        return {
            which: {
                "name": getattr(obj, f"{field}_label"),
                "url": reverse("api:centre-document", args=[obj.pk, which]),
            }
            if getattr(obj, field)
            else None
            for which, field in selectors.CENTRE_DOCUMENTS.items()
        }


class ChildCentreSerializer(CentreSerializer):
    active_members = serializers.IntegerField(source="n_members", read_only=True)

    class Meta(CentreSerializer.Meta):
        fields = [*CentreSerializer.Meta.fields, "active_members"]
        read_only_fields = fields


class CentreUpdateSerializer(StrictInputMixin, serializers.ModelSerializer):
    region = serializers.PrimaryKeyRelatedField(
        queryset=Jurisdiction.objects.all(),
        many=True,
        required=False,
        help_text=_("Chỉ cho sở chỉ huy tiền phương."),
    )

    class Meta:
        model = Centre
        fields = [*API_EDITABLE_FIELDS, "region"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        centre = self.instance
        field = self.fields["hotline_fallback_member"]
        # Only this centre's active members can be picked; another id reads as "does not exist".
        field.queryset = (  # type: ignore[attr-defined]
            Member.objects.filter(centre=centre, is_active=True) if centre else Member.objects.none()
        )


class CentreCreateSerializer(StrictInputMixin, serializers.Serializer):
    parent = serializers.IntegerField(  # type: ignore[assignment]  # Field.parent is the serializer
        help_text=_("Trung tâm cấp trên; cần quyền tạo trung tâm cấp dưới.")
    )
    name = serializers.CharField(max_length=200)
    short_code = serializers.CharField(max_length=12)
    level = serializers.ChoiceField(choices=CentreLevel.choices)
    jurisdiction = serializers.PrimaryKeyRelatedField(
        queryset=Jurisdiction.objects.all(), required=False, allow_null=True, default=None
    )
    region = serializers.PrimaryKeyRelatedField(
        queryset=Jurisdiction.objects.all(), many=True, required=False, default=list
    )
    hotline = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class ParentSerializer(serializers.Serializer):
    parent = serializers.IntegerField()  # type: ignore[assignment]  # Field.parent is the serializer


class CentreStatusSerializer(StrictInputMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=CentreStatus.choices)
    on = serializers.DateField(required=False, allow_null=True, default=None)


class CentreListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    level = serializers.ChoiceField(choices=CentreLevel.choices, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(
        choices=CentreStatus.choices, required=False, allow_blank=True, default=""
    )


class JurisdictionBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.IntegerField()
    name = serializers.CharField()


class CoverageSerializer(serializers.Serializer):
    """R14: how many child localities have a centre, issued rules and assigned members."""

    total = serializers.IntegerField()
    with_centre = serializers.IntegerField()
    with_rules = serializers.IntegerField()
    with_members = serializers.IntegerField()
    missing_centre = JurisdictionBriefSerializer(many=True)
    missing_rules = JurisdictionBriefSerializer(many=True)
    missing_members = JurisdictionBriefSerializer(many=True)


class MemberListQuerySerializer(serializers.Serializer):
    include_inactive = serializers.BooleanField(required=False, default=False)


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()


class MemberSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=Sector.choices), source="sector_codes"
    )

    class Meta:
        model = Member
        fields = [
            "id",
            "centre",
            "user",
            "role",
            "role_display",
            "agency",
            "title",
            "phone",
            "sectors",
            "since",
            "is_active",
        ]
        read_only_fields = fields


class _MemberInput(StrictInputMixin, serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.none(), required=False, allow_null=True
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    sectors = serializers.ListField(child=serializers.ChoiceField(choices=Sector.choices), required=False)
    since = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        centre = self.context.get("centre")
        # Only the centre's own agencies; another centre's id reads as "does not exist".
        self.fields["agency"].queryset = Agency.objects.filter(centre=centre)  # type: ignore[attr-defined]


class MemberCreateSerializer(_MemberInput):
    username = serializers.CharField(
        max_length=150, help_text=_("Tài khoản chưa có sẽ được tạo, không có mật khẩu dùng được.")
    )
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class MemberUpdateSerializer(_MemberInput):
    role = serializers.ChoiceField(choices=Role.choices, required=False)


class AgencySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    active_members = serializers.SerializerMethodField()

    class Meta:
        model = Agency
        fields = ["id", "centre", "name", "short_name", "kind", "kind_display", "order", "active_members"]
        read_only_fields = fields

    def get_active_members(self, obj: Agency) -> int:
        annotated = getattr(obj, "n_members", None)
        return annotated if annotated is not None else obj.members.filter(is_active=True).count()


class AgencyWriteSerializer(StrictInputMixin, serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["name", "short_name", "kind", "order"]
        # The model has a default kind, the service none: a new agency names its kind.
        extra_kwargs = {"kind": {"required": True}}


# --- views: centres ---------------------------------------------------------------------------


def _member_queryset() -> QuerySet[Member]:
    return Member.objects.select_related("centre", "user", "agency").prefetch_related("sectors")


class CentreListView(ApiView):
    @extend_schema(
        operation_id="centres_list",
        summary="Các trung tâm được xem",
        parameters=[CentreListQuerySerializer],
        responses={(200, JSON): CentreSerializer(many=True), **problems(400, 401)},
    )
    def get(self, request: Request) -> Response:
        params = self.query_params(CentreListQuerySerializer)
        centres = selectors.centre_list(user=request.user, **params).prefetch_related("region")
        return self.paginated(centres, CentreSerializer)

    @extend_schema(
        operation_id="centres_create",
        summary="Tạo trung tâm cấp dưới (trạng thái đề xuất)",
        request=CentreCreateSerializer,
        responses={201: CentreSerializer, **problems(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        # The parent is checked before the rest of the body, so a caller without the
        # right learns nothing from validation messages.
        parent_id = self.body(ParentSerializer)["parent"]
        parent = access_centre(request.user, parent_id, Action.CREATE_CHILD)
        data = self.body(CentreCreateSerializer)
        data.pop("parent")
        centre = services.centre_create(parent=parent, **data)
        return Response(CentreSerializer(centre).data, status=status.HTTP_201_CREATED)


class CentreDetailView(ApiView):
    @extend_schema(
        operation_id="centres_retrieve",
        summary="Một trung tâm",
        responses={200: CentreSerializer, **problems(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        centre = access_centre(request.user, pk)
        return Response(CentreSerializer(centre).data)

    @extend_schema(
        operation_id="centres_partial_update",
        summary="Sửa thông tin thiết lập của trung tâm",
        request=CentreUpdateSerializer(partial=True),
        responses={200: CentreSerializer, **problems(400, 401, 403, 404)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        centre = access_centre(request.user, pk, Action.EDIT)
        serializer = CentreUpdateSerializer(centre, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        centre = services.centre_update(centre=centre, **serializer.validated_data)
        return Response(CentreSerializer(centre).data)


class CentreDocumentView(FileDownloadView):
    @extend_schema(
        operation_id="centres_documents_retrieve",
        summary="Tải tệp quyết định thành lập (decision) hoặc quy chế hoạt động (rules) của trung tâm",
        parameters=[
            OpenApiParameter(
                "which",
                str,
                OpenApiParameter.PATH,
                enum=list(selectors.CENTRE_DOCUMENTS),
                description="Tệp nào.",
            )
        ],
        responses=file_download(401, 404),
    )
    def get(self, request: Request, pk: int, which: str) -> HttpResponseBase:
        centre = access_centre(request.user, pk)
        file, name = selectors.centre_document(centre=centre, which=which)
        return serve_file(file, filename=name)


class CentreStatusView(ApiView):
    @extend_schema(
        operation_id="centres_status",
        summary="Chuyển trạng thái trung tâm (đề xuất → thành lập → hoạt động → giải thể)",
        request=CentreStatusSerializer,
        responses={200: CentreSerializer, **problems(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        centre = access_centre(request.user, pk, Action.CHANGE_STATUS)
        data = self.body(CentreStatusSerializer)
        centre = services.centre_set_status(centre=centre, status=data["status"], on=data["on"])
        return Response(CentreSerializer(centre).data)


class CentreChildrenView(ApiView):
    @extend_schema(
        operation_id="centres_children",
        summary="Các trung tâm trực thuộc",
        responses={(200, JSON): ChildCentreSerializer(many=True), **problems(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        centre = access_centre(request.user, pk)
        children = selectors.centre_children(centre=centre).prefetch_related("region")
        return self.paginated(children, ChildCentreSerializer)


class CentreCoverageView(ApiView):
    pagination_class = None

    @extend_schema(
        operation_id="centres_coverage",
        summary="Mức độ bao phủ của các địa phương cấp dưới (R14)",
        responses={200: CoverageSerializer, **problems(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        centre = access_centre(request.user, pk)
        return Response(selectors.centre_coverage(centre=centre).as_dict())


# --- views: members ---------------------------------------------------------------------------


class CentreMembersView(ApiView):
    @extend_schema(
        operation_id="centres_members_list",
        summary="Thành viên của trung tâm",
        parameters=[MemberListQuerySerializer],
        responses={(200, JSON): MemberSerializer(many=True), **problems(400, 401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        centre = access_centre(request.user, pk)
        params = self.query_params(MemberListQuerySerializer)
        members = selectors.centre_members(centre=centre, include_inactive=params["include_inactive"])
        return self.paginated(members, MemberSerializer)

    @extend_schema(
        operation_id="centres_members_create",
        summary="Giao vai trò cho một người tại trung tâm",
        request=MemberCreateSerializer,
        responses={201: MemberSerializer, **problems(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        centre = access_centre(request.user, pk, Action.MANAGE_MEMBERS)
        data = self.body(MemberCreateSerializer, context={"centre": centre})
        user = services.user_get_or_create(
            username=data.pop("username"),
            full_name=data.pop("full_name"),
            email=data.pop("email"),
            phone=data.get("phone", ""),
        )
        member = services.member_create(centre=centre, user=user, **data)
        member = _member_queryset().get(pk=member.pk)
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)


class MemberDetailView(ApiView):
    @extend_schema(
        operation_id="members_retrieve",
        summary="Một thành viên",
        responses={200: MemberSerializer, **problems(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        member = access_scoped(request.user, _member_queryset(), pk)
        return Response(MemberSerializer(member).data)

    @extend_schema(
        operation_id="members_partial_update",
        summary="Sửa vai trò, cơ quan, chức vụ, lĩnh vực phụ trách",
        request=MemberUpdateSerializer,
        responses={200: MemberSerializer, **problems(400, 401, 403, 404)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        member = access_scoped(request.user, _member_queryset(), pk, Action.MANAGE_MEMBERS)
        data = self.body(MemberUpdateSerializer, context={"centre": member.centre}, partial=True)
        services.member_update(member=member, **data)
        return Response(MemberSerializer(_member_queryset().get(pk=member.pk)).data)

    @extend_schema(
        operation_id="members_deactivate",
        summary="Kết thúc vai trò (bản ghi được giữ lại)",
        responses={204: None, **problems(401, 403, 404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        member = access_scoped(request.user, _member_queryset(), pk, Action.MANAGE_MEMBERS)
        services.member_deactivate(member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- views: member agencies -------------------------------------------------------------------


def _agency_queryset() -> QuerySet[Agency]:
    return Agency.objects.select_related("centre").annotate(
        n_members=Count("members", filter=Q(members__is_active=True))
    )


class CentreAgenciesView(ApiView):
    @extend_schema(
        operation_id="centres_agencies_list",
        summary="Cơ quan thành viên của trung tâm",
        responses={(200, JSON): AgencySerializer(many=True), **problems(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        centre = access_centre(request.user, pk)
        return self.paginated(selectors.centre_agencies(centre=centre), AgencySerializer)

    @extend_schema(
        operation_id="centres_agencies_create",
        summary="Thêm cơ quan thành viên",
        request=AgencyWriteSerializer,
        responses={201: AgencySerializer, **problems(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        centre = access_centre(request.user, pk, Action.EDIT)
        data = self.body(AgencyWriteSerializer)
        agency = services.agency_create(centre=centre, **data)
        return Response(AgencySerializer(agency).data, status=status.HTTP_201_CREATED)


class AgencyDetailView(ApiView):
    @extend_schema(
        operation_id="agencies_retrieve",
        summary="Một cơ quan thành viên",
        responses={200: AgencySerializer, **problems(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        agency = access_scoped(request.user, _agency_queryset(), pk)
        return Response(AgencySerializer(agency).data)

    @extend_schema(
        operation_id="agencies_partial_update",
        summary="Sửa cơ quan thành viên",
        request=AgencyWriteSerializer(partial=True),
        responses={200: AgencySerializer, **problems(400, 401, 403, 404)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        agency = access_scoped(request.user, _agency_queryset(), pk, Action.EDIT)
        data = self.body(AgencyWriteSerializer, partial=True)
        agency = services.agency_update(agency=agency, **data)
        return Response(AgencySerializer(agency).data)

    @extend_schema(
        operation_id="agencies_destroy",
        summary="Xoá cơ quan thành viên (khi không còn thành viên)",
        responses={204: None, **problems(400, 401, 403, 404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        agency = access_scoped(request.user, _agency_queryset(), pk, Action.EDIT)
        services.agency_delete(agency=agency)
        return Response(status=status.HTTP_204_NO_CONTENT)
