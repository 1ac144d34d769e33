"""REST endpoints for tasks and directives (issue 6 §9), mounted at /api/v1/.

Every view fetches through the permission layer (``chihuy.directives.access`` on top of
``chihuy.centres.access``): not visible → 404, visible but not allowed → 403; a rule
broken in a service → 400 problem naming the field.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from chihuy.api.base import ApiView, FileDownloadView
from chihuy.api.schema import JSON, file_download, problems
from chihuy.centres.access import access_centre, visible_centres
from chihuy.centres.models import Agency, Member
from chihuy.core.files import serve_file
from chihuy.directives import selectors, services
from chihuy.directives.access import TaskAction, require_assign
from chihuy.directives.serializers import (
    AssignmentUpdateInputSerializer,
    AssignmentUpdateResultSerializer,
    TaskAssignmentSerializer,
    TaskCentreSerializer,
    TaskCreateSerializer,
    TaskDetailSerializer,
    TaskListQuerySerializer,
    TaskPatchSerializer,
    TaskSerializer,
    TaskUpdateSerializer,
)


def _detail_response(request: Request, pk: int, code: int = 200) -> Response:
    task = selectors.task_get(user=request.user, pk=pk)
    history = selectors.task_history(user=request.user, task=task)
    return Response(TaskDetailSerializer(task, context={"history": history}).data, status=code)


def _not_found(field: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [message]})


class TaskListView(ApiView):
    @extend_schema(
        operation_id="tasks_list",
        summary="Nhiệm vụ, chỉ đạo của một trung tâm (đã giao đi hoặc được giao)",
        parameters=[TaskListQuerySerializer],
        responses={(200, JSON): TaskSerializer(many=True), **problems(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        params = self.query_params(TaskListQuerySerializer)
        centre = access_centre(request.user, params.pop("centre"))
        if params.pop("scope") == "received":
            params.pop("overdue")
            tasks = selectors.tasks_received(user=request.user, centre=centre, **params)
        else:
            tasks = selectors.task_list(user=request.user, centre=centre, **params)
        return self.paginated(tasks, TaskSerializer)

    @extend_schema(
        operation_id="tasks_create",
        summary="Giao nhiệm vụ cho thành viên, cơ quan, hoặc các trung tâm cấp dưới",
        request=TaskCreateSerializer,
        responses={201: TaskDetailSerializer, **problems(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        # Centre and role first, so a caller without the right learns nothing from validation.
        centre = access_centre(request.user, self.body(TaskCentreSerializer)["centre"])
        require_assign(request.user, centre)
        data = self.body(TaskCreateSerializer)
        data.pop("centre")
        source_object = None
        source_id = data.pop("source_intake")
        if source_id is not None:
            from chihuy.intake.models import IntakeRecord

            source_object = IntakeRecord.objects.visible_to(request.user).filter(pk=source_id).first()
            if source_object is None:
                raise _not_found("source_intake", _("Không tìm thấy thông tin tiếp nhận này."))
            data["source_kind"] = "intake"
        member_id = data.pop("assignee_member")
        agency_id = data.pop("assignee_agency")
        centre_ids = list(dict.fromkeys(data.pop("assignee_centres")))
        member = agency = None
        if member_id is not None:
            member = (
                Member.objects.visible_to(request.user).select_related("user").filter(pk=member_id).first()
            )
            if member is None:
                raise _not_found("assignee_member", _("Không tìm thấy thành viên này."))
        if agency_id is not None:
            agency = Agency.objects.visible_to(request.user).filter(pk=agency_id).first()
            if agency is None:
                raise _not_found("assignee_agency", _("Không tìm thấy cơ quan này."))
        children = list(visible_centres(request.user).filter(pk__in=centre_ids))
        missing = sorted(set(centre_ids) - {c.pk for c in children})
        if missing:
            raise _not_found(
                "assignee_centres",
                _("Không tìm thấy trung tâm: %(ids)s.") % {"ids": ", ".join(map(str, missing))},
            )
        task = services.task_create(
            actor=request.user,
            centre=centre,
            source_object=source_object,
            assignee_member=member,
            assignee_agency=agency,
            assignee_centres=children,
            **data,
        )
        return _detail_response(request, task.pk, status.HTTP_201_CREATED)


class TaskDetailView(ApiView):
    pagination_class = None

    @extend_schema(
        operation_id="tasks_retrieve",
        summary="Một nhiệm vụ: phân công thực hiện và diễn biến",
        responses={200: TaskDetailSerializer, **problems(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _detail_response(request, pk)

    @extend_schema(
        operation_id="tasks_partial_update",
        summary="Sửa nhiệm vụ: tiêu đề, nội dung, hạn, mức ưu tiên, số văn bản",
        request=TaskPatchSerializer,
        responses={200: TaskDetailSerializer, **problems(400, 401, 403, 404)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        task = selectors.task_get(user=request.user, pk=pk, action=TaskAction.ASSIGN)
        data = self.body(TaskPatchSerializer)
        services.task_update(actor=request.user, task=task, **data)
        return _detail_response(request, pk)


class AssignmentUpdateView(ApiView):
    pagination_class = None
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="assignments_updates_create",
        summary=(
            "Người được giao cập nhật: nhận, tiến độ (kèm tệp), hoàn thành, "
            "không thực hiện được, vượt thẩm quyền"
        ),
        request={
            "application/json": AssignmentUpdateInputSerializer,
            "multipart/form-data": AssignmentUpdateInputSerializer,
        },
        responses={201: AssignmentUpdateResultSerializer, **problems(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        try:
            assignment = selectors.assignment_get(user=request.user, pk=pk, action=TaskAction.UPDATE)
        except DjangoPermissionDenied as exc:
            # Keep the service's own sentence: it names whose part this is.
            raise exceptions.PermissionDenied(str(exc)) from exc
        data = dict(self.body(AssignmentUpdateInputSerializer))
        if hasattr(request.data, "getlist"):
            data["attachments"] = request.FILES.getlist("attachments")
        update = services.assignment_update(actor=request.user, assignment=assignment, **data)
        assignment.refresh_from_db()
        return Response(
            {
                "entry": TaskUpdateSerializer(update).data,
                "assignment": TaskAssignmentSerializer(assignment).data,
            },
            status=status.HTTP_201_CREATED,
        )


class TaskDocumentView(FileDownloadView):
    @extend_schema(
        operation_id="tasks_document_retrieve",
        summary="Tải tệp văn bản chỉ đạo của nhiệm vụ",
        responses=file_download(401, 404),
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        task = selectors.task_get(user=request.user, pk=pk)
        return serve_file(task.document_file, filename=task.document_label)


class TaskAttachmentView(FileDownloadView):
    @extend_schema(
        operation_id="tasks_attachments_retrieve",
        summary="Tải một tệp gửi kèm cập nhật của nhiệm vụ",
        responses=file_download(401, 404),
    )
    def get(self, request: Request, pk: int, attachment_pk: int) -> HttpResponseBase:
        task = selectors.task_get(user=request.user, pk=pk)
        attachment = selectors.task_attachment(user=request.user, task=task, pk=attachment_pk)
        return serve_file(attachment.file, filename=str(attachment))
