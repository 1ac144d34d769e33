"""Forms of tasks and directives; the rules live in the services, these only shape input."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chihuy.centres.choices import CentreStatus
from chihuy.centres.models import Agency, Centre, Member
from chihuy.core.files import validate_document
from chihuy.core.forms import DateInput
from chihuy.directives.choices import (
    ACTION_FROM,
    ASSIGNEE_ACTIONS,
    AssigneeKind,
    Priority,
    SourceKind,
    TaskStatus,
)
from chihuy.intake.forms import MultipleFileField

SOURCE_CHOICES = [(k.value, k.label) for k in SourceKind if k != SourceKind.ESCALATED]
ASSIGNEE_CHOICES = [(k.value, k.label) for k in AssigneeKind if k != AssigneeKind.NONE]


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.user.get_full_name() or obj.user.get_username()
        return f"{name} – {obj.title or obj.get_role_display()}"


class AssigneeForm(forms.Form):
    """Who receives a task: one member, one agency, or one or many child centres."""

    assignee_kind = forms.ChoiceField(
        label=_("Giao cho"), choices=ASSIGNEE_CHOICES, widget=forms.RadioSelect, initial=AssigneeKind.CENTRES
    )
    assignee_member = MemberChoiceField(
        label=_("Thành viên"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("— Chọn thành viên —"),
    )
    assignee_agency = forms.ModelChoiceField(
        label=_("Cơ quan"), queryset=Agency.objects.none(), required=False, empty_label=_("— Chọn cơ quan —")
    )
    assignee_centres = forms.ModelMultipleChoiceField(
        label=_("Trung tâm cấp dưới"),
        queryset=Centre.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.centre = centre
        cast(forms.ModelChoiceField, self.fields["assignee_member"]).queryset = (
            Member.objects.filter(centre=centre, is_active=True).select_related("user").order_by("role", "id")
        )
        cast(forms.ModelChoiceField, self.fields["assignee_agency"]).queryset = Agency.objects.filter(
            centre=centre
        )
        children = (
            Centre.objects.filter(parent=centre).exclude(status=CentreStatus.DISSOLVED).order_by("name")
        )
        cast(forms.ModelMultipleChoiceField, self.fields["assignee_centres"]).queryset = children
        if not children.exists():
            self.fields["assignee_kind"].initial = AssigneeKind.MEMBER
        elif not self.is_bound and "assignee_centres" not in self.initial:
            self.initial["assignee_centres"] = list(children.values_list("pk", flat=True))

    def assignee_kwargs(self) -> dict[str, Any]:
        kind = self.cleaned_data["assignee_kind"]
        return {
            "assignee_member": self.cleaned_data.get("assignee_member")
            if kind == AssigneeKind.MEMBER
            else None,
            "assignee_agency": self.cleaned_data.get("assignee_agency")
            if kind == AssigneeKind.AGENCY
            else None,
            "assignee_centres": list(self.cleaned_data.get("assignee_centres") or [])
            if kind == AssigneeKind.CENTRES
            else [],
        }


class DeadlineMixin(forms.Form):
    deadline_date = forms.DateField(
        label=_("Hạn hoàn thành (ngày)"), widget=DateInput(), input_formats=["%d/%m/%Y"]
    )
    deadline_time = forms.TimeField(
        label=_("Giờ"),
        initial=dt.time(17, 0),
        input_formats=["%H:%M"],
        widget=forms.TimeInput(
            format="%H:%M", attrs={"placeholder": "17:00", "size": "5", "inputmode": "numeric"}
        ),
        help_text=_("Giờ 24, ví dụ 17:00."),
    )

    def deadline(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.cleaned_data["deadline_date"], self.cleaned_data["deadline_time"])
        )


class TaskForm(DeadlineMixin, AssigneeForm):
    title = forms.CharField(label=_("Tiêu đề"), max_length=255)
    description = forms.CharField(
        label=_("Nội dung chỉ đạo"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    priority = forms.ChoiceField(label=_("Mức ưu tiên"), choices=Priority.choices, initial=Priority.NORMAL)
    source_kind = forms.ChoiceField(label=_("Nguồn"), choices=SOURCE_CHOICES, initial=SourceKind.OTHER)
    document_number = forms.CharField(label=_("Số văn bản"), max_length=60, required=False)
    document_file = forms.FileField(label=_("Tệp văn bản"), required=False, validators=[validate_document])

    field_order = [
        "title",
        "description",
        "source_kind",
        "document_number",
        "document_file",
        "assignee_kind",
        "assignee_centres",
        "assignee_member",
        "assignee_agency",
        "deadline_date",
        "deadline_time",
        "priority",
    ]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data.get("description", ""),
            "source_kind": data["source_kind"],
            "document_number": data.get("document_number", ""),
            "document_file": data.get("document_file"),
            "deadline": self.deadline(),
            "priority": data["priority"],
            **self.assignee_kwargs(),
        }


class TaskEditForm(DeadlineMixin, forms.Form):
    title = forms.CharField(label=_("Tiêu đề"), max_length=255)
    description = forms.CharField(
        label=_("Nội dung chỉ đạo"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    priority = forms.ChoiceField(label=_("Mức ưu tiên"), choices=Priority.choices)
    document_number = forms.CharField(label=_("Số văn bản"), max_length=60, required=False)

    @classmethod
    def initial_from(cls, task: Any) -> dict[str, Any]:
        local = timezone.localtime(task.deadline)
        return {
            "title": task.title,
            "description": task.description,
            "priority": task.priority,
            "document_number": task.document_number,
            "deadline_date": local.date(),
            "deadline_time": local.time().replace(second=0, microsecond=0),
        }

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data.get("description", ""),
            "priority": data["priority"],
            "document_number": data.get("document_number", ""),
            "deadline": self.deadline(),
        }


class AssignmentUpdateForm(forms.Form):
    """What the assignee reports; the choices follow the assignment's status."""

    kind = forms.ChoiceField(label=_("Cập nhật"), choices=ASSIGNEE_ACTIONS)
    progress = forms.IntegerField(
        label=_("Tiến độ (%)"),
        min_value=0,
        max_value=100,
        required=False,
        error_messages={
            "min_value": _("Tiến độ là một số từ 0 đến 100 (%)."),
            "max_value": _("Tiến độ là một số từ 0 đến 100 (%)."),
        },
    )
    note = forms.CharField(
        label=_("Nội dung / lý do"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Bắt buộc khi không thực hiện được hoặc vượt thẩm quyền."),
    )
    attachments = MultipleFileField(label=_("Tệp đính kèm"), required=False)

    def __init__(self, *args: Any, assignment: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"a{assignment.pk}")
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        allowed = [(k, label) for k, label in ASSIGNEE_ACTIONS if assignment.status in ACTION_FROM[k]]
        cast(forms.ChoiceField, self.fields["kind"]).choices = allowed
        if assignment.status != TaskStatus.ASSIGNED:
            self.fields["kind"].initial = "progress"
        self.fields["progress"].initial = assignment.progress
