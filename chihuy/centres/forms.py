from __future__ import annotations

from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chihuy.centres.choices import STATUS_ORDER, CentreLevel, CentreStatus, Role, Sector
from chihuy.centres.models import Agency, Centre, Member
from chihuy.centres.selectors import CENTRE_DOCUMENTS, child_jurisdictions
from chihuy.centres.services import CENTRE_EDITABLE_FIELDS
from chihuy.core.files import StoredFileInput, validate_document
from chihuy.core.forms import DateInput
from chihuy.jurisdictions.models import Jurisdiction


def link_documents(fields: dict[str, Any], centre: Centre | None) -> None:
    """Show the centre's current files by their original names, linked to their download view."""
    if centre is None or not centre.pk:
        return
    for which, name in CENTRE_DOCUMENTS.items():
        widget = fields[name].widget if name in fields else None
        if isinstance(widget, StoredFileInput) and getattr(centre, name):
            widget.download_url = reverse("centres:document", args=[centre.pk, which])
            widget.current_name = getattr(centre, f"{name}_label")


class CentreForm(forms.ModelForm):
    """The set-up facts a centre's own staff maintain."""

    class Meta:
        model = Centre
        fields = list(CENTRE_EDITABLE_FIELDS)
        widgets = {"decision_date": DateInput(), "rules_issued_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["hotline_fallback_member"]).queryset = Member.objects.filter(
            centre=self.instance, is_active=True
        ).select_related("user")
        for name in CENTRE_DOCUMENTS.values():
            # The model's validators run in the service, whose full_clean this form skips.
            self.fields[name].validators.append(validate_document)
        link_documents(self.fields, self.instance)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        primary, fallback = data.get("room_primary_capacity"), data.get("room_fallback_capacity")
        if primary and fallback and fallback < primary:
            self.add_error("room_fallback_capacity", _("Phòng dự phòng phải rộng hơn phòng chính (R5)."))
        return data

    def _post_clean(self) -> None:
        # Model validation runs in the service; the form only checks its own fields.
        pass


class ChildCentreForm(forms.Form):
    name = forms.CharField(label=_("Tên trung tâm"), max_length=200)
    short_code = forms.CharField(
        label=_("Mã viết tắt"), max_length=12, help_text=_("2–12 chữ in hoa hoặc chữ số, ví dụ TS, VY01.")
    )
    level = forms.ChoiceField(label=_("Cấp"))
    jurisdiction = forms.ModelChoiceField(
        label=_("Địa bàn"), queryset=Jurisdiction.objects.none(), required=False
    )
    region = forms.ModelMultipleChoiceField(
        label=_("Vùng phụ trách (sở chỉ huy tiền phương)"),
        queryset=Jurisdiction.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hotline = forms.CharField(label=_("Đường dây nóng"), max_length=20, required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)

    def __init__(self, *args: Any, parent: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parent = parent
        localities = child_jurisdictions(centre=parent).select_related("parent")
        cast(forms.ModelChoiceField, self.fields["jurisdiction"]).queryset = localities
        if parent.level == CentreLevel.PROVINCE:
            levels = [CentreLevel.FORWARD, CentreLevel.DISTRICT, CentreLevel.COMMUNE]
            cast(forms.ModelChoiceField, self.fields["region"]).queryset = localities
        elif parent.level == CentreLevel.FORWARD:
            levels = [CentreLevel.DISTRICT, CentreLevel.COMMUNE]
            # Communes of a region made of districts are one level further down.
            cast(forms.ModelChoiceField, self.fields["jurisdiction"]).queryset = Jurisdiction.objects.filter(
                pk__in=[j.pk for j in localities]
            ) | Jurisdiction.objects.filter(parent__in=localities)
        elif parent.level == CentreLevel.NATIONAL:
            levels = [CentreLevel.PROVINCE]
        else:
            levels = [CentreLevel.COMMUNE]
        cast(forms.ChoiceField, self.fields["level"]).choices = [(lv.value, lv.label) for lv in levels]
        region_choices = cast(forms.ModelChoiceField, self.fields["region"]).queryset
        if region_choices is None or not region_choices.exists():
            del self.fields["region"]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái mới"), choices=CentreStatus.choices)
    on = forms.DateField(label=_("Ngày"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, current: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if current is not None:
            # Only the steps ahead are offered; the service still refuses a step backwards.
            ahead = STATUS_ORDER[STATUS_ORDER.index(CentreStatus(current)) + 1 :]
            cast(forms.ChoiceField, self.fields["status"]).choices = [(s.value, s.label) for s in ahead]


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "short_name", "kind", "order"]

    def _post_clean(self) -> None:
        pass


class _MemberRoleFields(forms.Form):
    """What a role in a centre is made of; shared by adding a member and editing one."""

    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    agency = forms.ModelChoiceField(label=_("Cơ quan"), queryset=Agency.objects.none(), required=False)
    title = forms.CharField(label=_("Chức vụ"), max_length=200, required=False)
    phone = forms.CharField(label=_("Điện thoại liên hệ"), max_length=20, required=False)
    sectors = forms.MultipleChoiceField(
        label=_("Lĩnh vực phụ trách (phó chỉ huy trưởng)"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    since = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput())


class MemberCreateForm(_MemberRoleFields):
    field_order = ["username", "full_name", "email"]

    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        help_text=_(
            "Nếu người này chưa có tài khoản, hệ thống tạo mới; họ đặt mật khẩu qua “Quên mật khẩu”."
        ),
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = Agency.objects.filter(centre=centre)


class MemberEditForm(_MemberRoleFields):
    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "role": member.role,
                "agency": member.agency_id,
                "title": member.title,
                "phone": member.phone,
                "sectors": member.sector_codes,
                "since": member.since,
            },
        )
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = Agency.objects.filter(
            centre_id=member.centre_id
        )
