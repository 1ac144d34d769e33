from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chihuy.centres.models import Member
from chihuy.core.forms import DateInput

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_FORMATS = ["%H:%M %d/%m/%Y", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M"]


class GenerateForm(forms.Form):
    start = forms.DateField(label=_("Từ ngày"), input_formats=DATE_FORMATS, widget=DateInput())
    end = forms.DateField(label=_("Đến ngày"), input_formats=DATE_FORMATS, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
        return data


class AssignmentForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Người trực"), queryset=Member.objects.none())
    start = forms.DateTimeField(label=_("Bắt đầu (giờ:phút ngày/tháng/năm)"), input_formats=DATETIME_FORMATS)
    end = forms.DateTimeField(label=_("Kết thúc"), input_formats=DATETIME_FORMATS)
    override_reason = forms.CharField(
        label=_("Lý do bỏ qua quy định nghỉ (chỉ huy trưởng, phó chỉ huy trưởng)"),
        required=False,
        max_length=300,
    )

    def __init__(self, *args: Any, centre: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (  # type: ignore[attr-defined]
            Member.objects.filter(centre=centre, is_active=True)
            .select_related("user", "agency")
            .order_by("role", "id")
        )
        self.fields["member"].label_from_instance = (  # type: ignore[attr-defined]
            lambda m: f"{m.user} – {m.get_role_display()}{f' ({m.agency})' if m.agency_id else ''}"
        )


class SwapForm(forms.Form):
    counterpart = forms.ModelChoiceField(label=_("Người nhận ca"), queryset=Member.objects.none())
    reason = forms.CharField(label=_("Lý do"), required=False, max_length=300)

    def __init__(self, *args: Any, centre: Any, exclude_user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counterpart"].queryset = (  # type: ignore[attr-defined]
            Member.objects.filter(centre=centre, is_active=True)
            .exclude(user=exclude_user)
            .select_related("user", "agency")
            .order_by("agency__order", "id")
        )
        self.fields["counterpart"].label_from_instance = (  # type: ignore[attr-defined]
            lambda m: f"{m.user} – {m.get_role_display()}{f' ({m.agency})' if m.agency_id else ''}"
        )


def parse_anchor(value: str | None, default: dt.date) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value or "", fmt).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    return default
