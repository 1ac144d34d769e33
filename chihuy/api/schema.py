"""OpenAPI pieces: the bearer scheme for ApiTokenAuthentication and the problem responses."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

from chihuy.api.errors import PROBLEM_CONTENT_TYPE
from chihuy.api.serializers import ProblemSerializer

# A list response keyed with its media type, like the problems: spectacular picks the
# lowest key as the main response, and only a list there gets pagination parameters.
JSON = "application/json"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "chihuy.api.authentication.ApiTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme = build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")
        scheme["description"] = "Khoá API: `Authorization: Bearer <khoá>` (manage.py create_api_token)."
        return scheme


_DESCRIPTIONS = {
    400: "Dữ liệu không hợp lệ; lỗi theo trường trong `errors`.",
    401: "Chưa xác thực, hoặc khoá API sai, đã thu hồi hay hết hạn.",
    403: "Vai trò không cho phép thao tác này.",
    404: "Không tồn tại hoặc không thuộc phạm vi được xem.",
}


def problems(*codes: int) -> dict[int | tuple[int, str], Any]:
    """Responses for ``extend_schema``: each code answered with a problem document."""
    return {
        (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description=_DESCRIPTIONS[code])
        for code in codes
    }


def file_download(*codes: int) -> dict[int | tuple[int, str], Any]:
    """Responses for a file download: the bytes (their type is the file's), or a problem."""
    return {
        (200, "application/octet-stream"): OpenApiResponse(
            OpenApiTypes.BINARY,
            description=(
                "Nội dung tệp, kiểu theo nội dung thật (PDF, ảnh, Word, Excel, ghi âm); tên tệp gốc "
                "trong `Content-Disposition`."
            ),
        ),
        **problems(*codes),
    }
