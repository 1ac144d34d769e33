"""What every API view shares: pagination, throttling, and the audit actor."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from django.db.models import QuerySet
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import BasePagination, LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import UserRateThrottle

from chihuy.core.actor import acting_as
from chihuy.core.ratelimit import count_hit


class ApiPagination(LimitOffsetPagination):
    """``?limit=&offset=``: 50 a page unless asked, never more than 200."""

    default_limit = 50
    max_limit = 200


class ApiRateThrottle(UserRateThrottle):
    """A ceiling per user (or per IP when anonymous) against a runaway integration.

    Counted in fixed windows aligned on the clock (a client may fit up to twice the rate
    across a window boundary) with one atomic increment per request, instead of DRF's list
    of timestamps read and written back whole: concurrent requests in several web processes
    would each write back their own list and lose the others' hits.
    """

    scope = "api"
    rate = "600/minute"
    num_requests: int  # set from ``rate`` by DRF
    duration: int
    _wait: float = 0.0

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        window, elapsed = divmod(self.timer(), self.duration)
        self._wait = self.duration - elapsed
        count = count_hit(f"{self.key}:{int(window)}", self.duration)
        return count <= self.num_requests

    def wait(self) -> float:
        return self._wait


class ApiView(GenericAPIView):
    # Base for ChiHuy endpoints (a comment, not a docstring: OpenAPI would show it on every
    # operation). Views fetch through ``chihuy.centres.access`` themselves. The actor
    # middleware runs before DRF has read the bearer token, so the audit actor is set
    # again here, once the request is authenticated.

    pagination_class: type[BasePagination] | None = ApiPagination
    throttle_classes = [ApiRateThrottle]
    filter_backends: list[Any] = []
    _actor_scope: AbstractContextManager[None] | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self._actor_scope = acting_as(request.user)
        self._actor_scope.__enter__()

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        scope = getattr(self, "_actor_scope", None)
        if scope is not None:
            self._actor_scope = None
            scope.__exit__(None, None, None)
        return super().finalize_response(request, response, *args, **kwargs)

    def paginated(self, queryset: QuerySet[Any], serializer_class: type[BaseSerializer]) -> Response:
        page = self.paginate_queryset(queryset)
        serializer = serializer_class(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    def query_params(self, serializer_class: type[BaseSerializer]) -> dict[str, Any]:
        """Validated query parameters; a bad one is a 400 problem naming it."""
        serializer = serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def body(self, serializer_class: type[BaseSerializer], **kwargs: Any) -> dict[str, Any]:
        """The validated request body; a bad field is a 400 problem naming it."""
        context = {**self.get_serializer_context(), **kwargs.pop("context", {})}
        serializer = serializer_class(data=self.request.data, context=context, **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class _AnyAccept(BaseContentNegotiation):
    # A download answers with the file's own type whatever the client accepts (a browser
    # or ``curl -H 'Accept: application/pdf'``); errors are still problem+json.
    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: str | None = None) -> Any:
        return renderers[0], renderers[0].media_type


class FileDownloadView(ApiView):
    # Base for the endpoints that hand out an uploaded file: the subclass fetches the
    # owning record through its app's permission layer and returns ``serve_file``.
    pagination_class = None
    content_negotiation_class = _AnyAccept
