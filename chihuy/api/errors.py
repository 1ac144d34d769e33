"""Every API error as an RFC 9457 problem (``application/problem+json``).

Body: ``{"type", "title", "status", "detail", "instance", "code"}`` and, for a 400 on
input, ``"errors": {"field": ["message", ...]}`` with errors that concern no single
field under ``"non_field_errors"``. A Django ``ValidationError`` raised by a service is
answered the same way as a serializer's, so a rule enforced in a service reads the
same to an integration as to the web form. Texts are Vietnamese unless the request
asks for English (``Accept-Language: en``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

PROBLEM_CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"
NON_FIELD_KEY = api_settings.NON_FIELD_ERRORS_KEY  # "non_field_errors"


def _title(status_code: int) -> str:
    titles = {
        400: _("Yêu cầu không hợp lệ"),
        401: _("Chưa xác thực"),
        403: _("Không có quyền"),
        404: _("Không tìm thấy"),
        405: _("Phương thức không được hỗ trợ"),
        406: _("Không đáp ứng được định dạng yêu cầu"),
        409: _("Xung đột dữ liệu"),
        413: _("Nội dung quá lớn"),
        415: _("Định dạng dữ liệu không được hỗ trợ"),
        429: _("Quá nhiều yêu cầu"),
        500: _("Lỗi máy chủ"),
    }
    return titles.get(status_code, _("Lỗi"))


def _detail(exc: exceptions.APIException, from_django: bool) -> str:
    """A translated detail for the stock exceptions; a custom detail is kept as raised."""
    if isinstance(exc, exceptions.ValidationError):
        return _("Dữ liệu gửi lên có lỗi; xem chi tiết trong “errors”.")
    if isinstance(exc, exceptions.ParseError):
        return _("Không đọc được nội dung gửi lên; hãy gửi JSON hợp lệ.")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _("Địa chỉ này không hỗ trợ phương thức đã dùng.")
    if isinstance(exc, exceptions.Throttled):
        wait = getattr(exc, "wait", None)
        if wait is not None:
            return _("Vui lòng thử lại sau %(n)d giây.") % {"n": max(1, round(wait))}
        return _("Vui lòng thử lại sau.")
    stock = from_django or str(exc.detail) == str(exc.default_detail)
    if not stock:
        return str(exc.detail)
    if isinstance(exc, exceptions.NotAuthenticated):
        return _("Cần đăng nhập hoặc gửi khoá API trong tiêu đề “Authorization: Bearer …”.")
    if isinstance(exc, exceptions.PermissionDenied):
        return _("Vai trò của bạn không được phép thực hiện thao tác này.")
    if isinstance(exc, exceptions.NotFound):
        return _("Không tìm thấy, hoặc bạn không có quyền xem.")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return _("Định dạng dữ liệu gửi lên không được hỗ trợ; hãy gửi JSON.")
    if isinstance(exc, exceptions.NotAcceptable):
        return _("API chỉ trả về JSON.")
    return str(exc.detail)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"field": [...], "field.sub": [...], "items.0.x": [...]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = NON_FIELD_KEY if key == NON_FIELD_ERRORS else str(key)
            out.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out.setdefault(prefix or NON_FIELD_KEY, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out.setdefault(prefix or NON_FIELD_KEY, []).append(str(detail))
    return out


def django_validation_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as field errors; messages without a field go to non_field_errors."""
    if hasattr(exc, "error_dict"):
        return {
            (NON_FIELD_KEY if field == NON_FIELD_ERRORS else field): list(messages)
            for field, messages in exc.message_dict.items()
        }
    return {NON_FIELD_KEY: list(exc.messages)}


def problem_document(
    *,
    status_code: int,
    detail: str,
    request: Any = None,
    code: str = "",
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "about:blank",
        "title": _title(status_code),
        "status": status_code,
        "detail": detail,
    }
    if request is not None:
        data["instance"] = request.get_full_path()
    if code:
        data["code"] = code
    if errors is not None:
        data["errors"] = errors
    return data


def problem_response(
    *,
    status_code: int,
    detail: str,
    request: Any = None,
    code: str = "",
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    data = problem_document(status_code=status_code, detail=detail, request=request, code=code, errors=errors)
    response = Response(data, status=status_code, headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _problem_json(data: dict[str, Any]) -> HttpResponse:
    # Outside DRF there is no renderer: the same UTF-8 JSON as DRF's, by hand.
    return JsonResponse(
        data,
        status=data["status"],
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's ``handler404``: under /api/ a problem, elsewhere the site's own page.

    The API's URL conf answers unknown addresses itself; this covers a 404 raised
    outside DRF (a middleware, a plain view) so no API client ever gets an HTML page.
    """
    if not is_api_request(request):
        return defaults.page_not_found(request, exception)
    data = problem_document(
        status_code=404,
        detail=_("Không tìm thấy, hoặc bạn không có quyền xem."),
        request=request,
        code="not_found",
    )
    return _problem_json(data)


def api_server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``: a crash under /api/ still answers a problem, not an HTML page."""
    if not is_api_request(request):
        return defaults.server_error(request)
    data = problem_document(
        status_code=500, detail=_("Máy chủ gặp lỗi ngoài dự kiến; vui lòng thử lại sau."), request=request
    )
    return _problem_json(data)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: APIException, Http404, PermissionDenied and Django ValidationError.

    Anything else returns None and becomes a 500 through Django, as usual.
    """
    from_django = isinstance(exc, Http404 | DjangoPermissionDenied)
    errors: dict[str, list[str]] | None = None
    if isinstance(exc, DjangoValidationError):
        errors = django_validation_errors(exc)
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None

    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]

    detail = _detail(exc, from_django)
    if isinstance(exc, exceptions.ValidationError):
        errors = errors if errors is not None else _flatten(exc.detail)
        if set(errors) == {NON_FIELD_KEY}:
            # Only a general message: it is the most useful detail.
            detail = " ".join(errors[NON_FIELD_KEY])
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else ("invalid" if exc.status_code == 400 else "")
    set_rollback()
    request = context.get("request")
    return problem_response(
        status_code=exc.status_code or status.HTTP_500_INTERNAL_SERVER_ERROR,
        detail=detail,
        request=request,
        code=code,
        errors=errors,
        headers=headers,
    )
