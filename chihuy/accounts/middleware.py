from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from chihuy.accounts import selectors

# Pages a half-logged-in user must still reach: to finish logging in, to set up the
# app, to leave, or to reset a forgotten password. Profile, password change, 2FA
# disable and backup codes are deliberately absent: they need a verified session.
EXEMPT_URL_NAMES = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:two_factor_verify",
        "accounts:two_factor_setup",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "set_language",
        "healthz",
    }
)
EXEMPT_PREFIXES = ("/healthz", "/i18n/", "/favicon.ico", "/robots.txt")
API_PREFIX = "/api/"


class RequireTwoFactorMiddleware:
    """Sends a commander or deputy of a centre that requires 2FA to set up or verify TOTP.

    - A logged-in user with a confirmed authenticator app whose session has not yet
      passed the code step is sent to the verify page (he has only given his password).
    - A leader (commander, deputy) of a centre with ``require_2fa_for_leaders`` who has
      no app yet is sent to the setup page with a message.

    HTMX requests get an ``HX-Redirect`` header instead of a 302. The API answers with
    tokens and is not redirected, but a browser session that has not passed 2FA cannot
    use it either (403), since the API also accepts session authentication.
    Must come after ``django_otp.middleware.OTPMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or self._exempt(request):
            return self.get_response(request)
        if user.is_verified():
            return self.get_response(request)
        if selectors.two_factor_enabled(user):
            return self._redirect(
                request, "accounts:two_factor_verify", _("Vui lòng nhập mã xác thực để tiếp tục.")
            )
        if selectors.two_factor_required(user):
            if not request.path_info.startswith(API_PREFIX):
                messages.warning(
                    request,
                    _("Trung tâm của bạn yêu cầu chỉ huy trưởng, phó chỉ huy trưởng bật xác thực hai lớp."),
                )
            return self._redirect(
                request, "accounts:two_factor_setup", _("Vui lòng bật xác thực hai lớp để tiếp tục.")
            )
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        path = request.path_info
        if path.startswith(settings.STATIC_URL) or path.startswith(EXEMPT_PREFIXES):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return False
        return match.view_name in EXEMPT_URL_NAMES

    @staticmethod
    def _redirect(request: HttpRequest, url_name: str, api_detail: str) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse(
                {"status": 403, "title": _("Cần xác thực hai lớp"), "detail": api_detail},
                status=403,
                content_type="application/problem+json",
            )
        url = reverse(url_name)
        htmx = getattr(request, "htmx", None)
        if htmx:
            next_url = htmx.current_url_abs_path or ""
        else:
            next_url = request.get_full_path() if request.method == "GET" else ""
        if next_url:
            url = f"{url}?{urlencode({'next': next_url})}"
        if htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)
