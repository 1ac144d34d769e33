from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chihuy.centres.models import Member
from chihuy.core.forms import DateInput
from chihuy.roster import setup_services
from chihuy.roster.calendar import local_midnight
from chihuy.roster.models import RosterSettings

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


class TimeInput(forms.TimeInput):
    """HH:MM on a 24-hour clock whatever the browser's language."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "placeholder": "hh:mm",
            "inputmode": "numeric",
            "pattern": r"\d{1,2}:\d{2}",
            "size": "5",
            "autocomplete": "off",
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%H:%M")


def _time_field(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=["%H:%M"],
        widget=TimeInput(),
        error_messages={"invalid": _("Giờ không hợp lệ; nhập theo dạng hh:mm (24 giờ), ví dụ 07:00.")},
    )


class RosterSettingsForm(forms.ModelForm):
    min_rest_hours = forms.IntegerField(
        label=_("Nghỉ tối thiểu giữa hai ca (giờ)"),
        min_value=0,
        max_value=setup_services.MAX_REST_HOURS,
        error_messages={
            "min_value": _("Nhập từ 0 đến 48 giờ."),
            "max_value": _("Nhập từ 0 đến 48 giờ."),
        },
        help_text=_("Không xếp một người trực hai ca cách nhau ít hơn số giờ này (R2)."),
    )
    checkin_grace_minutes = forms.IntegerField(
        label=_("Thời gian chờ điểm danh (phút)"),
        min_value=0,
        max_value=setup_services.MAX_GRACE_MINUTES,
        error_messages={
            "min_value": _("Nhập từ 0 đến 180 phút."),
            "max_value": _("Nhập từ 0 đến 180 phút."),
        },
        help_text=_("Quá thời gian này sau giờ vào ca mà chưa điểm danh thì báo chỉ huy trực."),
    )

    class Meta:
        model = RosterSettings
        fields = ["min_rest_hours", "checkin_grace_minutes", "command_duty", "auto_approve_swaps"]
        help_texts = {
            "command_duty": _("Mỗi ngày một chỉ huy trưởng hoặc phó chỉ huy trưởng trực chỉ huy (R9)."),
            "auto_approve_swaps": _(
                "Khi người nhận đồng ý, đổi ca giữa hai người cùng cơ quan, cùng vị trí được duyệt ngay."
            ),
        }


class ShiftRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput())
    name = forms.CharField(label=_("Tên ca"), max_length=40)
    start_time = _time_field(_("Bắt đầu"))
    end_time = _time_field(_("Kết thúc"))
    is_night = forms.BooleanField(label=_("Ca đêm"), required=False)

    def row(self, *, delete: bool) -> setup_services.ShiftInput:
        data = self.cleaned_data
        return setup_services.ShiftInput(
            pk=data.get("id"),
            name=data.get("name", ""),
            start_time=data.get("start_time") or dt.time(0),
            end_time=data.get("end_time") or dt.time(0),
            is_night=bool(data.get("is_night")),
            delete=delete,
        )


class BaseShiftFormSet(forms.BaseFormSet):
    deletion_widget = forms.CheckboxInput

    def rows(self) -> list[setup_services.ShiftInput]:
        """The pattern to save: changed and removed shifts, and a new one if its row was filled."""
        rows = []
        for form in self.forms:
            deleted = bool(getattr(form, "cleaned_data", {}).get("DELETE"))
            if not form.has_changed() and not deleted:
                continue
            if deleted and not form.cleaned_data.get("id"):
                continue  # a new row ticked for removal: nothing to do
            rows.append(form.row(delete=deleted))
        return rows


ShiftFormSet = forms.formset_factory(
    ShiftRowForm, formset=BaseShiftFormSet, extra=1, can_delete=True, max_num=setup_services.MAX_SHIFTS
)


def shift_formset(data: Any, shifts: list[Any]) -> Any:
    initial = [
        {
            "id": s.pk,
            "name": s.name,
            "start_time": s.start_time,
            "end_time": s.end_time,
            "is_night": s.is_night,
        }
        for s in shifts
    ]
    formset = ShiftFormSet(data, initial=initial, prefix="shift")
    for form in formset.forms:
        form.fields["DELETE"].label = _("Xoá")
    return formset


class StaffingForm(forms.Form):
    """The staffing table: for each agency, primary and backup counts per shift and once a day (R1)."""

    def __init__(self, *args: Any, view: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.view = view
        self.columns: list[tuple[int | None, str]] = [(s.pk, s.name) for s in view.shifts]
        self.columns.append((None, str(_("Cả ngày"))))
        for row in view.staffing:
            for shift_id, label in self.columns:
                primary, backup = row.cells[shift_id]
                for kind, value, what in (("p", primary, _("trực chính")), ("b", backup, _("dự phòng"))):
                    self.fields[self._name(kind, row.agency.pk, shift_id)] = forms.IntegerField(
                        label=f"{row.agency} – {label} – {what}",
                        min_value=0,
                        max_value=setup_services.MAX_STAFF_COUNT,
                        initial=value,
                        widget=forms.NumberInput(
                            attrs={"min": 0, "max": setup_services.MAX_STAFF_COUNT, "class": "roster-count"}
                        ),
                        error_messages={
                            "min_value": _("Số người không được âm."),
                            "max_value": _("Tối đa %(limit_value)s người."),
                            "invalid": _("Nhập một số nguyên."),
                            "required": _("Nhập số người (0 nếu không cần)."),
                        },
                    )

    @staticmethod
    def _name(kind: str, agency_id: int, shift_id: int | None) -> str:
        return f"{kind}_{agency_id}_{shift_id if shift_id is not None else 'day'}"

    def table(self) -> list[tuple[Any, list[tuple[Any, Any]]]]:
        """Rows for the template: the agency, then (primary field, backup field) per column."""
        return [
            (
                row.agency,
                [
                    (self[self._name("p", row.agency.pk, sid)], self[self._name("b", row.agency.pk, sid)])
                    for sid, _label in self.columns
                ],
            )
            for row in self.view.staffing
        ]

    def cells(self) -> dict[tuple[int, int | None], tuple[int, int]]:
        data = self.cleaned_data
        return {
            (row.agency.pk, sid): (
                data[self._name("p", row.agency.pk, sid)],
                data[self._name("b", row.agency.pk, sid)],
            )
            for row in self.view.staffing
            for sid, _label in self.columns
        }


class LeaveForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("Người nghỉ"), queryset=Member.objects.none(), empty_label=_("— Chọn —")
    )
    start = forms.DateField(label=_("Từ ngày"), input_formats=DATE_FORMATS, widget=DateInput())
    end = forms.DateField(label=_("Đến hết ngày"), input_formats=DATE_FORMATS, widget=DateInput())
    reason = forms.CharField(label=_("Lý do"), max_length=200, required=False)

    def __init__(self, *args: Any, members: Any, own: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        field.queryset = members.select_related("user", "centre", "agency")  # type: ignore[attr-defined]
        if own:
            field.label = _("Tại trung tâm")
            field.empty_label = None  # type: ignore[attr-defined]
            field.label_from_instance = lambda m: f"{m.centre} – {m.get_role_display()}"  # type: ignore[attr-defined]
        else:
            field.label_from_instance = (  # type: ignore[attr-defined]
                lambda m: f"{m.user} – {m.get_role_display()}{f' ({m.agency})' if m.agency_id else ''}"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
        return data

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Whole local days: from the first day's midnight to the midnight after the last."""
        data = self.cleaned_data
        return local_midnight(data["start"]), local_midnight(data["end"] + dt.timedelta(days=1))


def parse_anchor(value: str | None, default: dt.date) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value or "", fmt).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    return default
