"""Log in, two-factor authentication, password reset and the profile page."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from chihuy.accounts import selectors, services
from chihuy.accounts.forms import LoginForm, TotpConfirmForm, TwoFactorDisableForm, TwoFactorVerifyForm
from chihuy.centres.access import memberships


def safe_next(request: HttpRequest, url: str | None) -> str:
    """``url`` when it points to this site, otherwise an empty string."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host(), *settings.ALLOWED_HOSTS}, require_https=request.is_secure()
    ):
        return url
    return ""


def verify_url(next_url: str = "") -> str:
    url = reverse("accounts:two_factor_verify")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class ChiHuyLoginView(auth_views.LoginView):
    """Password first; a user with an authenticator app then goes on to the code page.

    django-axes counts the failures of this form (it authenticates with the request)
    and answers a locked-out username+address with ``accounts/locked_out.html`` (429).
    """

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        if selectors.two_factor_enabled(form.get_user()):
            return redirect(verify_url(self.get_redirect_url()))
        return response


def _backup_codes_page(request: HttpRequest, codes: list[str], *, first_time: bool) -> HttpResponse:
    response = render(request, "accounts/backup_codes.html", {"codes": codes, "first_time": first_time})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the secret), confirm with one code, get the backup codes once."""
    user = request.user
    if selectors.two_factor_enabled(user):
        messages.info(request, _("Xác thực hai lớp đã được bật cho tài khoản của bạn."))
        return redirect("accounts:profile")
    device = selectors.totp_device_pending(user)
    if device is None:
        device = services.totp_device_create(user=user)
    form = TotpConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_device_confirm(user=user, device=device, token=form.cleaned_data["token"])
        except ValidationError as exc:
            form.add_error("token", exc.messages)
        else:
            django_otp.login(request, device)
            messages.success(request, _("Đã bật xác thực hai lớp."))
            return _backup_codes_page(request, codes, first_time=True)
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_svg": qr.svg_inline(
            scale=5, omitsize=True, dark="#000", light="#fff", title=_("Mã QR để quét bằng ứng dụng")
        ),
        "secret": _secret_groups(device),
        "required": selectors.two_factor_required(user),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _secret_groups(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of logging in: a code from the app or a backup code."""
    user = request.user
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    done_url = next_url or resolve_url(settings.LOGIN_REDIRECT_URL)
    if user.is_verified() or not selectors.two_factor_enabled(user):  # type: ignore[union-attr]
        return redirect(done_url)
    form = TwoFactorVerifyForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid() and form.device is not None:
        request.session.cycle_key()
        django_otp.login(request, form.device)
        if isinstance(form.device, StaticDevice):
            remaining = selectors.backup_codes_remaining(user)
            messages.warning(
                request,
                _("Bạn vừa dùng một mã dự phòng; còn lại %(n)d mã. Hãy tạo mã mới khi sắp hết.")
                % {"n": remaining},
            )
        return redirect(done_url)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn 2FA off after re-checking the password or a code."""
    user = request.user
    if not selectors.two_factor_enabled(user):
        messages.info(request, _("Xác thực hai lớp chưa được bật."))
        return redirect("accounts:profile")
    form = TwoFactorDisableForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        services.two_factor_disable(user=user)
        messages.success(request, _("Đã tắt xác thực hai lớp."))
        if selectors.two_factor_required(user):
            messages.warning(
                request, _("Trung tâm của bạn bắt buộc xác thực hai lớp; vui lòng thiết lập lại ngay.")
            )
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/two_factor_disable.html",
        {"form": form, "required": selectors.two_factor_required(user)},
    )


@never_cache
@require_POST
@login_required
def backup_codes_regenerate(request: HttpRequest) -> HttpResponse:
    """New backup codes, shown once; the old ones stop working."""
    if not selectors.two_factor_enabled(request.user):
        messages.error(request, _("Hãy bật xác thực hai lớp trước khi tạo mã dự phòng."))
        return redirect("accounts:profile")
    codes = services.backup_codes_generate(user=request.user)
    messages.success(request, _("Đã tạo mã dự phòng mới; các mã cũ không còn dùng được."))
    return _backup_codes_page(request, codes, first_time=False)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "roles": memberships(user),
        "two_factor_required": selectors.two_factor_required(user),
        "backup_codes_remaining": selectors.backup_codes_remaining(user),
        "totp_device": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
    }
    context["two_factor_enabled"] = context["totp_device"] is not None
    return render(request, "accounts/profile.html", context)
