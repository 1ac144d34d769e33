from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chihuy.core.files import validate_attachment
from chihuy.directives.models import Task
from chihuy.intake.models import IntakeRecord


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Nội dung"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("Nhập tin nhắn… (ghi #VP-20261122-0042 để dẫn số hiệu)")}
        ),
    )
    attachment = forms.FileField(label=_("Tệp đính kèm"), required=False, validators=[validate_attachment])
    record_number = forms.CharField(label=_("Số hiệu thông tin tiếp nhận"), max_length=40, required=False)
    task = forms.ModelChoiceField(
        label=_("Nhiệm vụ liên quan"),
        queryset=Task.objects.none(),
        required=False,
        empty_label=_("— Không —"),
    )
    important = forms.BooleanField(label=_("Quan trọng (gửi cả thư điện tử)"), required=False)

    def __init__(self, *args: Any, user: Any, centre: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field = cast(forms.ModelChoiceField, self.fields["task"])
        recent = (
            Task.objects.visible_to(user)
            .filter(Q(centre=centre) | Q(assignments__assignee_centre=centre))
            .distinct()
            .order_by("-created_at")[:50]
        )
        # A sliced DISTINCT query cannot be filtered again: keep its ids.
        field.queryset = Task.objects.filter(pk__in=list(recent.values_list("pk", flat=True))).order_by(
            "-created_at"
        )

    def clean_record_number(self) -> Any:
        number = (self.cleaned_data.get("record_number") or "").strip().lstrip("#").upper()
        if not number:
            return None
        record = IntakeRecord.objects.visible_to(self.user).filter(number=number).first()
        if record is None:
            raise forms.ValidationError(_("Không tìm thấy thông tin tiếp nhận số %(n)s.") % {"n": number})
        return record
