"""REST endpoints of the announcement channel (issue 6 §9): read and post messages, mark read.

Access as on the page: the centre's members read and post, the staff of the centres
above read only; invisible → 404, visible but not allowed → 403.
"""

from __future__ import annotations

from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from chihuy.announcements import selectors, services
from chihuy.announcements.access import access_channel, access_message
from chihuy.announcements.models import Message
from chihuy.announcements.serializers import (
    MessageCreateSerializer,
    MessageListQuerySerializer,
    MessageReadSerializer,
    MessageSerializer,
)
from chihuy.api.base import ApiView, FileDownloadView
from chihuy.api.schema import JSON, file_download, problems
from chihuy.core.files import serve_file


class MessageListView(ApiView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="announcements_list",
        summary="Tin nhắn của kênh thông báo một trung tâm (mới nhất trước)",
        parameters=[MessageListQuerySerializer],
        responses={(200, JSON): MessageSerializer(many=True), **problems(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        params = self.query_params(MessageListQuerySerializer)
        centre = access_channel(request.user, params["centre"])
        page = self.paginate_queryset(selectors.channel_queryset(centre=centre))
        rows = list(page or [])
        selectors.decorate(user=request.user, centre=centre, messages=rows)
        return self.get_paginated_response(MessageSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="announcements_create",
        summary="Gửi tin nhắn vào kênh thông báo",
        request={"application/json": MessageCreateSerializer, "multipart/form-data": MessageCreateSerializer},
        responses={201: MessageSerializer, **problems(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        from chihuy.directives.models import Task
        from chihuy.intake.models import IntakeRecord

        data = self.body(MessageCreateSerializer)
        centre = access_channel(request.user, data.pop("centre"), post=True)
        record = task = None
        if data["intake_record"] is not None:
            record = IntakeRecord.objects.visible_to(request.user).filter(pk=data["intake_record"]).first()
            if record is None:
                raise exceptions.ValidationError(
                    {"intake_record": [_("Không tìm thấy thông tin tiếp nhận này.")]}
                )
        if data["task"] is not None:
            task = Task.objects.visible_to(request.user).filter(pk=data["task"]).first()
            if task is None:
                raise exceptions.ValidationError({"task": [_("Không tìm thấy nhiệm vụ này.")]})
        message = services.message_post(
            actor=request.user,
            centre=centre,
            body=data["body"],
            important=data["important"],
            attachment=data["attachment"],
            intake_record=record,
            task=task,
        )
        row = selectors.channel_queryset(centre=centre).get(pk=message.pk)
        selectors.decorate(user=request.user, centre=centre, messages=[row])
        return Response(MessageSerializer(row).data, status=status.HTTP_201_CREATED)


class MessageReadView(ApiView):
    pagination_class = None

    @extend_schema(
        operation_id="announcements_read_create",
        summary="Đánh dấu đã xem một tin nhắn (biên nhận đã xem)",
        request=None,
        responses={200: MessageReadSerializer, **problems(401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        centre_id = (
            Message.objects.visible_to(request.user).filter(pk=pk).values_list("centre_id", flat=True).first()
        )
        if centre_id is None:
            raise exceptions.NotFound()
        centre = access_channel(request.user, centre_id)
        marked = services.messages_mark_read(user=request.user, centre=centre, message_ids=[pk])
        return Response({"marked": marked})


class MessageAttachmentView(FileDownloadView):
    @extend_schema(
        operation_id="announcements_attachment_retrieve",
        summary="Tải tệp đính kèm của một tin nhắn",
        responses=file_download(401, 403, 404),
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        message = access_message(request.user, pk)
        return serve_file(message.attachment, filename=message.attachment_name)
