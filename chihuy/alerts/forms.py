from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chihuy.alerts.models import AlertPolicy


class AlertPolicyForm(forms.ModelForm):
    """The centre's escalation timing and channels; the secret is only replaced when typed."""

    webhook_secret = forms.CharField(
        label=_("Khoá bí mật webhook"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Để trống để giữ khoá hiện tại. Dùng để ký nội dung gửi cổng SMS / Zalo OA (HMAC-SHA256)."
        ),
    )
    clear_secret = forms.BooleanField(label=_("Xoá khoá bí mật hiện tại"), required=False)

    class Meta:
        model = AlertPolicy
        fields = [
            "minutes",
            "repeats",
            "email_enabled",
            "sms_enabled",
            "sms_webhook_url",
            "zalo_enabled",
            "zalo_webhook_url",
        ]
        help_texts = {
            "minutes": _("Sau chừng này phút chưa có ai xác nhận, báo khẩn chuyển sang bước tiếp theo."),
            "repeats": _(
                "Số lượt lặp lại cả chuỗi: chỉ huy trực → các phó chỉ huy trưởng → chỉ huy trực cấp trên."
            ),
        }

    def _post_clean(self) -> None:
        # Model validation runs in the service, with the cross-field rules.
        pass

    def service_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if self.cleaned_data.get("clear_secret"):
            data["webhook_secret"] = ""
        elif self.cleaned_data.get("webhook_secret"):
            data["webhook_secret"] = self.cleaned_data["webhook_secret"]
        return data
