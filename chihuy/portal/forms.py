"""Forms of the public portal. Plain Django forms: every message next to its field, in Vietnamese."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chihuy.centres.choices import Sector
from chihuy.centres.models import Centre
from chihuy.intake.phone import normalise_phone
from chihuy.jurisdictions.models import Jurisdiction
from chihuy.portal.selectors import centre_area

HONEYPOT_FIELD = "website"


class PublicReportForm(forms.Form):
    reporter_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    reporter_phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        help_text=_("Dùng để trung tâm liên hệ lại và để bạn tra cứu kết quả."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    jurisdiction = forms.ModelChoiceField(
        label=_("Xã, phường nơi xảy ra sự việc"),
        queryset=Jurisdiction.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Địa bàn này không thuộc phạm vi của trung tâm.")},
    )
    address = forms.CharField(
        label=_("Địa chỉ cụ thể"),
        max_length=255,
        required=False,
        help_text=_("Số nhà, thôn, tổ dân phố…"),
    )
    category = forms.ChoiceField(label=_("Lĩnh vực"), choices=Sector.choices, initial=Sector.OTHER)
    content = forms.CharField(
        label=_("Nội dung phản ánh"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    # Hidden from people by the stylesheet; a bot filling every field fills this one too.
    website = forms.CharField(
        label=_("Để trống ô này"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.centre = centre
        self.fields["jurisdiction"].queryset = centre_area(centre=centre)  # type: ignore[attr-defined]

    def clean_reporter_phone(self) -> str:
        return normalise_phone(self.cleaned_data["reporter_phone"])

    def clean_content(self) -> str:
        content = self.cleaned_data["content"].strip()
        if not content:
            raise ValidationError(_("Nhập nội dung phản ánh."))
        return content

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("jurisdiction")
            and not (data.get("address") or "").strip()
            and "jurisdiction" not in self.errors
        ):
            self.add_error("jurisdiction", _("Chọn xã, phường hoặc ghi địa chỉ nơi xảy ra sự việc."))
        return data

    @property
    def is_bot(self) -> bool:
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's ValidationError next to the fields it names."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)


class StatusLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã tra cứu"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("Số điện thoại đã dùng khi gửi"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
