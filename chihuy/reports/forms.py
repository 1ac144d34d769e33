"""Forms of the daily reports. They check shapes; the rules live in ``chihuy.reports.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chihuy.centres.choices import CentreLevel
from chihuy.core.files import SPREADSHEET_KINDS, FileKindValidator
from chihuy.core.forms import DateInput
from chihuy.reports.choices import RollupRule, TextSection
from chihuy.reports.indicators import STANDARD
from chihuy.reports.models import DailyReport, TemplateIndicator
from chihuy.reports.services import DOC_FIELDS, TEXT_FIELDS, extra_field

_SPREADSHEET = FileKindValidator(SPREADSHEET_KINDS)

NUMBER_ERRORS = {
    "invalid": _("Hãy nhập một số nguyên, không phải chữ."),
    "min_value": _("Số liệu không được là số âm."),
    "max_value": _("Số liệu quá lớn."),
}


def number_field(label: Any, unit: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=2_000_000_000,
        error_messages=NUMBER_ERRORS,
        help_text=unit,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0", "step": "1"}),
    )


class ReportForm(forms.Form):
    """The daily report: the national figures, the province's added ones, four text sections."""

    def __init__(
        self, *args: Any, extras: list[TemplateIndicator] | None = None, amend: bool = False, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.extra_indicators = list(extras or [])
        for ind in STANDARD:
            self.fields[ind.code] = number_field(ind.label, ind.unit)
        for ti in self.extra_indicators:
            self.fields[extra_field(ti.code)] = number_field(ti.label, ti.unit)
        for section in TextSection:
            self.fields[section.value] = forms.CharField(
                label=section.label, required=False, widget=forms.Textarea(attrs={"rows": 4})
            )
        self.fields["doc_number"] = forms.CharField(
            label=_("Số, ký hiệu"), required=False, max_length=60, help_text=_("Ví dụ: 125/BC-TTCH")
        )
        self.fields["doc_recipient"] = forms.CharField(label=_("Kính gửi"), required=False, max_length=255)
        self.fields["signer_title"] = forms.CharField(
            label=_("Chức vụ người ký"), required=False, max_length=150, help_text=_("Ví dụ: CHỈ HUY TRƯỞNG")
        )
        self.fields["signer_name"] = forms.CharField(label=_("Người ký"), required=False, max_length=150)
        if amend:
            self.fields["reason"] = forms.CharField(
                label=_("Lý do sửa đổi"),
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": _("Hãy ghi lý do sửa đổi báo cáo đã nộp.")},
            )

    @staticmethod
    def initial_from(
        figures: dict[str, Any], extras: dict[str, Any], texts: dict[str, Any], doc: dict[str, Any]
    ) -> dict[str, Any]:
        initial: dict[str, Any] = dict(figures)
        initial.update({extra_field(code): value for code, value in extras.items()})
        initial.update(texts)
        initial.update(doc)
        return initial

    @staticmethod
    def initial_from_report(report: DailyReport) -> dict[str, Any]:
        return ReportForm.initial_from(
            report.figures(),
            {ev.code: ev.value for ev in report.extra_values.all()},
            report.texts(),
            {name: getattr(report, name) for name in DOC_FIELDS},
        )

    def figure_fields(self) -> list[forms.BoundField]:
        return [self[ind.code] for ind in STANDARD]

    def extra_fields(self) -> list[forms.BoundField]:
        return [self[extra_field(ti.code)] for ti in self.extra_indicators]

    def text_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in TEXT_FIELDS]

    def doc_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in DOC_FIELDS]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "figures": {ind.code: data.get(ind.code) for ind in STANDARD},
            "extras": {ti.code: data.get(extra_field(ti.code)) for ti in self.extra_indicators},
            "texts": {name: data.get(name, "") for name in TEXT_FIELDS},
            "doc": {name: data.get(name, "") for name in DOC_FIELDS},
        }


class DeadlineForm(forms.Form):
    deadline = forms.TimeField(
        label=_("Hạn nộp báo cáo hằng ngày (giờ:phút)"),
        input_formats=["%H:%M"],
        widget=forms.TimeInput(
            format="%H:%M", attrs={"placeholder": "17:00", "pattern": r"\d{1,2}:\d{2}", "size": 5}
        ),
        error_messages={
            "invalid": _("Nhập giờ theo dạng HH:MM, ví dụ 17:00."),
            "required": _("Nhập giờ hạn nộp."),
        },
    )


class IndicatorForm(forms.Form):
    code = forms.CharField(
        label=_("Mã chỉ tiêu"), max_length=40, help_text=_("Chữ thường không dấu, ví dụ: diem_ban_hang")
    )
    label = forms.CharField(label=_("Tên chỉ tiêu"), max_length=200)
    unit = forms.CharField(label=_("Đơn vị tính"), max_length=40, required=False)
    rule = forms.ChoiceField(label=_("Cách tổng hợp theo thời gian"), choices=RollupRule.choices)
    level = forms.ChoiceField(
        label=_("Cấp báo cáo"),
        required=False,
        choices=[
            ("", _("Mọi cấp")),
            (CentreLevel.DISTRICT, CentreLevel.DISTRICT.label),
            (CentreLevel.COMMUNE, CentreLevel.COMMUNE.label),
        ],
    )


class ImportUploadForm(forms.Form):
    date = forms.DateField(
        label=_("Ngày báo cáo"),
        input_formats=["%d/%m/%Y"],
        widget=DateInput(),
        error_messages={"invalid": _("Nhập ngày theo dạng dd/mm/yyyy.")},
    )
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp quá lớn; tối đa 5 MB."))
        # What the bytes are, not the name: a workbook holds xl/workbook.xml (issue 12 §6).
        _SPREADSHEET(upload)
        return upload


class DayPickForm(forms.Form):
    date = forms.DateField(
        label=_("Ngày"),
        input_formats=["%d/%m/%Y"],
        widget=DateInput(),
        error_messages={"invalid": _("Nhập ngày theo dạng dd/mm/yyyy.")},
    )
