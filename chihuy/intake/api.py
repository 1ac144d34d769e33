"""REST endpoints for the intake logbook (issue 3 §8), mounted at /api/v1/.

Same shape as ``chihuy.centres.api``: every view fetches through the permission layer
(``access_centre`` and ``chihuy.intake.access``, which builds on it), validates its input
with a serializer and calls ``intake_create`` or a selector. Not visible → 404, visible
but the role may not log → 403; a rule broken in the service is a 400 problem naming
the field.

``POST /intakes`` honours ``Idempotency-Key``; the SMS webhook is authenticated by an
HMAC of its body with the centre's shared secret instead of a bearer token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from chihuy.api.base import ApiView, FileDownloadView
from chihuy.api.errors import PROBLEM_CONTENT_TYPE, django_validation_errors, problem_response
from chihuy.api.schema import JSON, file_download, problems
from chihuy.api.serializers import ProblemSerializer
from chihuy.centres.access import access_centre
from chihuy.core.files import serve_file
from chihuy.intake.access import IntakeAction, require_intake
from chihuy.intake.choices import Channel, Source
from chihuy.intake.models import IdempotencyKey, IntakeRecord, SmsWebhookSecret
from chihuy.intake.selectors import intake_attachment, intake_get, intake_list
from chihuy.intake.serializers import (
    IntakeCentreSerializer,
    IntakeCreateSerializer,
    IntakeDetailSerializer,
    IntakeListQuerySerializer,
    IntakeSerializer,
    SmsInboundSerializer,
)
from chihuy.intake.services import intake_create

IDEMPOTENCY_HEADER = "Idempotency-Key"
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as the IETF draft suggests
SIGNATURE_HEADER = "X-ChiHuy-Signature"
_SIGNATURE_PREFIX = "sha256="
# Compared against when the centre has no secret, so both failures take the same time.
_NO_SECRET = "-" * 43


def _problem(code: int, description: str) -> dict[int | tuple[int, str], Any]:
    return {(code, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description=description)}


_IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Khoá chống gửi trùng (1–255 ký tự ASCII). Gửi lại cùng khoá với cùng nội dung sẽ nhận lại "
        "bản ghi đã tạo, không tạo bản ghi thứ hai."
    ),
)


def request_hash(data: Any) -> str:
    """A fingerprint of the request body, independent of key order and spacing."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class IntakeListView(ApiView):
    @extend_schema(
        operation_id="intakes_list",
        summary="Sổ theo dõi tiếp nhận thông tin của một trung tâm",
        parameters=[IntakeListQuerySerializer],
        responses={(200, JSON): IntakeSerializer(many=True), **problems(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        params = self.query_params(IntakeListQuerySerializer)
        centre = access_centre(request.user, params.pop("centre"))
        records = intake_list(user=request.user, centre=centre, **params)
        return self.paginated(records, IntakeSerializer)

    @extend_schema(
        operation_id="intakes_create",
        summary="Ghi một thông tin vào sổ theo dõi (tổng đài, hệ thống khác)",
        parameters=[_IDEMPOTENCY_PARAMETER],
        request=IntakeCreateSerializer,
        responses={
            201: IntakeSerializer,
            **problems(400, 401, 403, 404),
            **_problem(409, "Một yêu cầu cùng khoá chống gửi trùng đang được xử lý; thử lại sau."),
            **_problem(422, "Khoá chống gửi trùng đã được dùng cho một nội dung khác."),
        },
    )
    def post(self, request: Request) -> Response:
        # The centre and the role are checked before the rest of the body, so a caller
        # without the right learns nothing from validation messages.
        centre = access_centre(request.user, self.body(IntakeCentreSerializer)["centre"])
        require_intake(request.user, centre, IntakeAction.LOG)
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            record = self._create(centre)
            return Response(IntakeSerializer(record).data, status=status.HTTP_201_CREATED)
        if not _KEY_PATTERN.match(key):
            return problem_response(
                status_code=400,
                detail=_("Khoá chống gửi trùng không hợp lệ."),
                request=request,
                code="invalid",
                errors={IDEMPOTENCY_HEADER: [_("Dùng 1–255 ký tự ASCII nhìn thấy được, không có dấu cách.")]},
            )
        return self._create_once(centre, key)

    def _create(self, centre: Any) -> IntakeRecord:
        data = self.body(IntakeCreateSerializer, context={"centre": centre})
        data.pop("centre")
        return intake_create(centre=centre, received_by=self.request.user, source=Source.API, **data)

    def _create_once(self, centre: Any, key: str) -> Response:
        """Create the record unless this user already sent this key (issue 3 §8).

        The key row is inserted first, in the record's transaction: a concurrent retry
        blocks on the unique constraint until the first commits, then reads its record;
        a request that fails validation rolls its key back, so it can be retried.
        """
        user: Any = self.request.user
        digest = request_hash(self.request.data)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    entry = IdempotencyKey.objects.create(user=user, key=key, request_hash=digest)
            except IntegrityError:
                return self._replay(key, digest)
            record = self._create(centre)
            entry.record = record
            entry.save(update_fields=["record"])
        return Response(IntakeSerializer(record).data, status=status.HTTP_201_CREATED)

    def _replay(self, key: str, digest: str) -> Response:
        user: Any = self.request.user
        entry = (
            IdempotencyKey.objects.select_related("record__centre", "record__jurisdiction")
            .filter(user=user, key=key)
            .first()
        )
        if entry is None or entry.record is None:
            return problem_response(
                status_code=409,
                detail=_("Một yêu cầu cùng khoá chống gửi trùng đang được xử lý; vui lòng thử lại sau."),
                request=self.request,
                code="idempotency_in_progress",
                headers={"Retry-After": "1"},
            )
        if not hmac.compare_digest(entry.request_hash, digest):
            return problem_response(
                status_code=422,
                detail=_("Khoá chống gửi trùng này đã được dùng cho một yêu cầu có nội dung khác."),
                request=self.request,
                code="idempotency_key_reused",
            )
        return Response(
            IntakeSerializer(entry.record).data,
            status=entry.response_status,
            headers={"Idempotent-Replayed": "true"},
        )


class IntakeDetailView(ApiView):
    @extend_schema(
        operation_id="intakes_retrieve",
        summary="Một thông tin trong sổ theo dõi, kèm danh sách tệp đính kèm",
        responses={200: IntakeDetailSerializer, **problems(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(IntakeDetailSerializer(intake_get(user=request.user, pk=pk)).data)


class IntakeAttachmentView(FileDownloadView):
    @extend_schema(
        operation_id="intakes_attachments_retrieve",
        summary="Tải một tệp đính kèm của thông tin tiếp nhận",
        responses=file_download(401, 404),
    )
    def get(self, request: Request, pk: int, attachment_pk: int) -> HttpResponseBase:
        record = intake_get(user=request.user, pk=pk)
        attachment = intake_attachment(record=record, pk=attachment_pk)
        return serve_file(attachment.file, filename=str(attachment))


class SmsReceiptSerializer(IntakeSerializer):
    class Meta(IntakeSerializer.Meta):
        fields = ["id", "number", "tracking_code", "status", "received_at"]
        read_only_fields = fields


def sign_body(secret: str, body: bytes) -> str:
    """The value of the signature header for ``body``: ``sha256=<hex HMAC>``."""
    return _SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _sender_phone(sender: str) -> str:
    # Gateways often send the international form without its "+": 84912345678.
    digits = sender.strip()
    if digits.startswith("84") and digits.isdigit() and len(digits) >= 11:
        return "+" + digits
    return digits


# Service field → the webhook's own field, so an error names what the gateway sent.
_SMS_FIELDS = {"reporter_phone": "sender", "content": "text"}


class SmsWebhookView(ApiView):
    # Called by an SMS gateway, not a user: no token, no session. The HMAC of the raw
    # body with the centre's secret is the authentication.
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    pagination_class = None

    @extend_schema(
        operation_id="webhooks_sms_create",
        summary="Nhận tin nhắn SMS gửi tới đường dây nóng của trung tâm",
        description=(
            "Cổng SMS ký nội dung gửi lên bằng HMAC-SHA256 với khoá bí mật của trung tâm, gửi trong "
            f"tiêu đề `{SIGNATURE_HEADER}: sha256=<hex>`."
        ),
        auth=[],
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="`sha256=` và HMAC-SHA256 (hex) của nội dung yêu cầu.",
            )
        ],
        request=SmsInboundSerializer,
        # 404: a centre_id that is not a number matches no route.
        responses={201: SmsReceiptSerializer, **problems(400, 401, 404)},
    )
    def post(self, request: Request, centre_id: int) -> Response:
        raw = request.body  # read before request.data consumes the stream
        hook = (
            SmsWebhookSecret.objects.select_related("centre")
            .filter(centre_id=centre_id, is_active=True)
            .first()
        )
        expected = sign_body(hook.secret if hook else _NO_SECRET, raw)
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(expected.encode(), given.strip().encode()) or hook is None:
            raise exceptions.AuthenticationFailed(_("Chữ ký webhook không hợp lệ."))
        data = self.body(SmsInboundSerializer)
        fields: dict[str, Any] = {
            "channel": Channel.MESSAGE,
            "source": Source.SMS,
            "reporter_phone": _sender_phone(data["sender"]),
            "content": data["text"],
            # An SMS says where only in its text; the officer sets the place when reading it.
            "address": _("Chưa xác định (tin nhắn SMS)"),
        }
        if "received_at" in data:
            fields["received_at"] = data["received_at"]
        try:
            record = intake_create(centre=hook.centre, received_by=None, **fields)
        except DjangoValidationError as exc:
            errors = {_SMS_FIELDS.get(f, f): m for f, m in django_validation_errors(exc).items()}
            raise exceptions.ValidationError(errors) from exc
        return Response(SmsReceiptSerializer(record).data, status=status.HTTP_201_CREATED)

    def get_authenticate_header(self, request: Request) -> str:
        # A 401 here is a bad signature; there is no bearer challenge to offer.
        return f'HMAC-SHA256 header="{SIGNATURE_HEADER}"'
