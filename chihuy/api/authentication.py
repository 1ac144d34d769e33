"""Bearer-token authentication for integrations (``Authorization: Bearer <token>``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from chihuy.api.selectors import api_token_for_secret
from chihuy.api.services import api_token_touch

KEYWORD = "Bearer"
# A secret is token_urlsafe(32): 43 characters. Anything much longer is not ours.
MAX_SECRET_LENGTH = 200


class ApiTokenAuthentication(BaseAuthentication):
    """Authenticates a request by an ApiToken; revoked, expired or unknown tokens get 401.

    A request without a bearer token is left to the next authenticator (the session),
    so the browsable docs keep working for a logged-in user.
    """

    keyword = KEYWORD

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2 or len(parts[1]) > MAX_SECRET_LENGTH:
            raise exceptions.AuthenticationFailed(_("Tiêu đề Authorization không hợp lệ."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Tiêu đề Authorization không hợp lệ.")) from exc
        token = api_token_for_secret(secret=secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Khoá API không hợp lệ."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Khoá API đã bị thu hồi."))
        if not token.is_usable():
            raise exceptions.AuthenticationFailed(_("Khoá API đã hết hạn."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Tài khoản đã bị khoá."))
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'
