"""Account forms. Token checks go through the services, so the rules live in one place."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from chihuy.accounts import services


class LoginForm(auth_forms.AuthenticationForm):
    """Django's form (it passes ``request`` to ``authenticate``, which axes needs), in Vietnamese."""

    username = auth_forms.UsernameField(
        label=_("Tên đăng nhập"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường."
        ),
        "inactive": _("Tài khoản này đã bị vô hiệu hoá."),
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("Địa chỉ e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        help_text=_("Địa chỉ e-mail đã đăng ký với tài khoản của bạn."),
    )


def _token_field(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=32,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
        error_messages={"required": _("Vui lòng nhập mã xác thực.")},
    )


class TotpConfirmForm(forms.Form):
    """The first code from the authenticator app, which proves the QR code was scanned.

    The view hands the code to ``services.totp_device_confirm``, which checks and confirms.
    """

    token = _token_field(_("Mã 6 chữ số trong ứng dụng"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs.update({"inputmode": "numeric", "autofocus": True})


class TwoFactorVerifyForm(forms.Form):
    """At login: a code from the app or one of the backup codes."""

    token = _token_field(
        _("Mã xác thực"), _("Mã 6 chữ số trong ứng dụng xác thực, hoặc một mã dự phòng chưa dùng.")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["token"].widget.attrs["autofocus"] = True
        self.device: Device | None = None

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        self.device = services.two_factor_check(user=self.user, token=token)
        return token


class TwoFactorDisableForm(forms.Form):
    """Turning 2FA off needs the current password or a valid code, not just an open session."""

    password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    token = forms.CharField(
        label=_("hoặc mã xác thực"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        token = cleaned.get("token")
        if password:
            if not self.user.check_password(password):
                self.add_error("password", _("Mật khẩu không đúng."))
        elif token:
            try:
                services.two_factor_check(user=self.user, token=token)
            except ValidationError as exc:
                self.add_error("token", exc.messages)
        else:
            raise ValidationError(_("Nhập mật khẩu hiện tại hoặc một mã xác thực để tắt xác thực hai lớp."))
        return cleaned
