"""Forms of the logbook pages. They parse input; every rule is checked again by the services."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chihuy.centres.choices import CentreStatus, Sector
from chihuy.centres.models import Agency, Centre, Member
from chihuy.core.files import validate_attachment
from chihuy.core.forms import DateInput
from chihuy.intake.choices import STATUS_FLOW, Channel, IntakeStatus
from chihuy.intake.models import IntakeRecord
from chihuy.jurisdictions.models import Jurisdiction

DATETIME_FORMAT = "%d/%m/%Y %H:%M"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        files = data if isinstance(data, list | tuple) else [data]
        cleaned = [single(f, initial) for f in files if f]
        for upload in cleaned:
            validate_attachment(upload)
        return cleaned


def centre_structure(centre: Centre) -> str:
    """Search places in the structure the centre itself is defined in (two- or three-tier)."""
    return centre.jurisdiction.structure if centre.jurisdiction is not None else "current"


class JurisdictionPickerMixin(forms.Form):
    """A free-text location box with keyboard autocomplete; the pick lands in ``jurisdiction``."""

    location = forms.CharField(
        label=_("Địa bàn"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": "intake-location-list",
                "autocomplete": "off",
                "placeholder": _("Gõ tên xã, phường (không cần dấu)"),
                "data-intake-location": "",
            }
        ),
    )
    jurisdiction = forms.ModelChoiceField(
        queryset=Jurisdiction.objects.all(),
        required=False,
        widget=forms.HiddenInput(attrs={"data-intake-jurisdiction": ""}),
        error_messages={"invalid_choice": _("Không tìm thấy địa bàn đã chọn; hãy chọn lại từ danh sách.")},
    )

    def setup_location(self, structure: str) -> None:
        self.fields["location"].widget.attrs.update(
            {
                "hx-get": reverse("jurisdictions:autocomplete"),
                "hx-trigger": "input changed delay:150ms",
                "hx-target": "#intake-location-list",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                "hx-params": "none",
                "data-structure": structure,
            }
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("location") or "").strip()
        if text and data.get("jurisdiction") is None and "jurisdiction" not in self.errors:
            self.add_error(
                "location",
                _("Không tìm thấy địa bàn «%(text)s»: chọn một dòng trong danh sách gợi ý.") % {"text": text},
            )
        return data


class IntakeForm(JurisdictionPickerMixin):
    """The duty officer's entry form, in the order of a call: phone, name, place, content (R3)."""

    reporter_phone = forms.CharField(
        label=_("Điện thoại người báo"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "inputmode": "tel",
                "autocomplete": "off",
                "placeholder": "09xx xxx xxx",
            }
        ),
    )
    reporter_name = forms.CharField(
        label=_("Họ tên người báo"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    field_order = [
        "reporter_phone",
        "reporter_name",
        "location",
        "jurisdiction",
        "content",
        "category",
        "urgent",
        "urgency_reason",
        "address",
        "channel",
        "received_at",
        "reporter_org",
        "anonymous",
        "attachments",
    ]
    content = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    category = forms.ChoiceField(label=_("Phân loại"), choices=Sector.choices, initial=Sector.OTHER)
    urgent = forms.BooleanField(label=_("Khẩn cấp – báo cáo ngay chỉ huy"), required=False)
    urgency_reason = forms.CharField(label=_("Lý do khẩn cấp"), max_length=255, required=False)
    address = forms.CharField(label=_("Địa chỉ cụ thể"), max_length=255, required=False)
    channel = forms.ChoiceField(label=_("Hình thức"), choices=Channel.choices, initial=Channel.HOTLINE)
    received_at = forms.DateTimeField(
        label=_("Thời gian tiếp nhận"),
        input_formats=[DATETIME_FORMAT, "%d/%m/%Y %H:%M:%S"],
        widget=forms.TextInput(
            attrs={"placeholder": "dd/mm/yyyy HH:MM", "autocomplete": "off", "size": "16"}
        ),
        error_messages={"invalid": _("Nhập thời gian theo dạng dd/mm/yyyy HH:MM, ví dụ 22/11/2026 14:05.")},
    )
    reporter_org = forms.CharField(label=_("Cơ quan, tổ chức"), max_length=200, required=False)
    anonymous = forms.BooleanField(label=_("Người báo đề nghị giấu tên"), required=False)
    attachments = MultipleFileField(
        label=_("Tệp đính kèm"),
        required=False,
        help_text=_("pdf, jpg, png, docx, xlsx; tối đa 10 MB mỗi tệp."),
    )

    def __init__(
        self, *args: Any, structure: str = "current", with_attachments: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setup_location(structure)
        if not self.is_bound and "received_at" not in self.initial:
            self.initial["received_at"] = timezone.localtime().strftime(DATETIME_FORMAT)
        if not with_attachments:
            del self.fields["attachments"]
        self.order_fields(self.field_order)

    @classmethod
    def initial_from(cls, record: IntakeRecord) -> dict[str, Any]:
        return {
            "reporter_phone": record.reporter_phone,
            "reporter_name": record.reporter_name,
            "location": record.jurisdiction.label_with_parent if record.jurisdiction else "",
            "jurisdiction": record.jurisdiction_id,
            "content": record.content,
            "category": record.category,
            "urgent": record.urgent,
            "urgency_reason": record.urgency_reason,
            "address": record.address,
            "channel": record.channel,
            "received_at": timezone.localtime(record.received_at).strftime(DATETIME_FORMAT),
            "reporter_org": record.reporter_org,
            "anonymous": record.anonymous,
        }

    def clean_received_at(self) -> dt.datetime:
        value = cast(dt.datetime, self.cleaned_data["received_at"])
        if value > timezone.now() + dt.timedelta(minutes=2):
            raise forms.ValidationError(_("Thời gian tiếp nhận không thể ở tương lai."))
        return value

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "reporter_phone": data["reporter_phone"],
            "reporter_name": data["reporter_name"],
            "jurisdiction": data["jurisdiction"],
            "content": data["content"],
            "category": data["category"],
            "urgent": data["urgent"],
            "urgency_reason": data["urgency_reason"],
            "address": data["address"],
            "channel": data["channel"],
            "received_at": data["received_at"],
            "reporter_org": data["reporter_org"],
            "anonymous": data["anonymous"],
        }


class IntakeFilterForm(JurisdictionPickerMixin):
    date_from = forms.DateField(
        label=_("Từ ngày"), required=False, widget=DateInput(), input_formats=["%d/%m/%Y"]
    )
    date_to = forms.DateField(
        label=_("Đến ngày"), required=False, widget=DateInput(), input_formats=["%d/%m/%Y"]
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *IntakeStatus.choices]
    )
    urgency = forms.ChoiceField(
        label=_("Mức độ"),
        required=False,
        choices=[("", _("Tất cả")), ("urgent", _("Khẩn cấp")), ("normal", _("Không khẩn (chờ giao ban)"))],
    )
    category = forms.ChoiceField(
        label=_("Phân loại"), required=False, choices=[("", _("Tất cả")), *Sector.choices]
    )
    officer = forms.ModelChoiceField(
        label=_("Cán bộ tiếp nhận"), required=False, queryset=Member.objects.none()
    )
    q = forms.CharField(
        label=_("Tìm"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Nội dung, người báo, số điện thoại…")}
        ),
    )
    below = forms.BooleanField(label=_("Gồm cả trung tâm cấp dưới"), required=False)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_location(centre_structure(centre))
        cast(forms.ModelChoiceField, self.fields["officer"]).queryset = (
            get_user_model()
            .objects.filter(memberships__centre=centre, memberships__is_active=True)
            .distinct()
            .order_by("full_name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        urgency = data.get("urgency")
        officer = data.get("officer")
        return {
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "status": data.get("status") or "",
            "urgent": {"urgent": True, "normal": False}.get(urgency or ""),
            "category": data.get("category") or "",
            "jurisdiction": data.get("jurisdiction"),
            "officer": officer,
            "q": data.get("q") or "",
            "include_below": bool(data.get("below")),
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái mới"), choices=IntakeStatus.choices)
    result = forms.CharField(
        label=_("Kết quả xử lý"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reporter_told = forms.CharField(
        label=_("Đã trả lời người báo"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, record: IntakeRecord, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = STATUS_FLOW[record.status]
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (v, label) for v, label in IntakeStatus.choices if v in allowed
        ]


class AssignForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("Thành viên xử lý"), required=False, queryset=Member.objects.none()
    )
    agency = forms.ModelChoiceField(label=_("Cơ quan xử lý"), required=False, queryset=Agency.objects.none())

    def __init__(self, *args: Any, record: IntakeRecord, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["member"]).queryset = Member.objects.filter(
            centre_id=record.centre_id, is_active=True
        ).select_related("user")
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = Agency.objects.filter(
            centre_id=record.centre_id
        )


class ForwardForm(forms.Form):
    to_centre = forms.ModelChoiceField(
        label=_("Chuyển đến trung tâm"),
        queryset=Centre.objects.none(),
        error_messages={
            "required": _("Chọn trung tâm nhận."),
            "invalid_choice": _("Trung tâm không hợp lệ."),
        },
    )
    reason = forms.CharField(label=_("Lý do chuyển"), max_length=500, required=False)

    def __init__(self, *args: Any, record: IntakeRecord, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["to_centre"]).queryset = (
            Centre.objects.exclude(status=CentreStatus.DISSOLVED)
            .exclude(pk=record.centre_id)
            .order_by("path")
        )


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do báo cáo cấp trên (vượt thẩm quyền)"),
        max_length=500,
        error_messages={"required": _("Ghi rõ lý do báo cáo cấp trên (vượt thẩm quyền).")},
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Ghi chú"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


PROCEDURE_MAX_LENGTH = 20000


class ProcedureForm(forms.Form):
    body = forms.CharField(
        label=_("Quy trình tiếp nhận và xử lý thông tin"),
        max_length=PROCEDURE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_("Văn bản thường; xuống dòng được giữ nguyên khi hiển thị."),
    )


class RoutingRulesForm(forms.Form):
    """R16: for each category, the level that handles it in the province (blank: the lowest centre)."""

    def __init__(self, *args: Any, rules: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from chihuy.intake.choices import HandlingLevel

        choices = [("", _("Mặc định: trung tâm thấp nhất có địa bàn")), *HandlingLevel.choices]
        for code, label in Sector.choices:
            rule = rules.get(code)
            self.fields[f"level_{code}"] = forms.ChoiceField(
                label=label, choices=choices, required=False, initial=rule.level if rule else ""
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("Ghi chú"), max_length=255, required=False, initial=rule.note if rule else ""
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"level_{code}"], self[f"note_{code}"]) for code, _label in Sector.choices]

    def rules(self) -> list[tuple[str, str, str]]:
        return [
            (code, self.cleaned_data[f"level_{code}"], self.cleaned_data[f"note_{code}"].strip())
            for code, _label in Sector.choices
        ]
