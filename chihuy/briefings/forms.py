"""Forms of the briefing pages. They parse input only; the rules live in the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chihuy.briefings.choices import Attendance, PointKind, TaskPriority, VenueKind
from chihuy.briefings.models import AgendaItem, BridgePoint, Briefing, BriefingSettings
from chihuy.centres.choices import Role
from chihuy.centres.models import Agency, Centre, Member
from chihuy.core.forms import DateInput


class TimeInput(forms.TimeInput):
    """HH:MM on a 24-hour clock whatever the browser's language."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"placeholder": "hh:mm", "inputmode": "numeric", "pattern": r"\d{1,2}:\d{2}", "size": "5"}
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%H:%M")


def date_field(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=["%d/%m/%Y"],
        widget=DateInput(),
        error_messages={"invalid": _("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy.")},
    )


def time_field(label: Any, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        input_formats=["%H:%M"],
        widget=TimeInput(),
        error_messages={"invalid": _("Giờ không hợp lệ; nhập theo dạng hh:mm (24 giờ), ví dụ 17:00.")},
    )


def set_choices(form: forms.BaseForm, name: str, choices: list[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def combine(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def _person(m: Member) -> str:
    return f"{m.user.get_full_name() or m.user.get_username()} – {m.get_role_display()}"


class BriefingForm(forms.Form):
    """An ad-hoc meeting."""

    title = forms.CharField(label=_("Tiêu đề"), max_length=200, required=False)
    date = date_field(_("Ngày họp"))
    time = time_field(_("Giờ họp"))
    duration_minutes = forms.IntegerField(
        label=_("Thời lượng (phút)"), min_value=10, max_value=600, initial=60
    )
    chair = forms.ChoiceField(label=_("Chủ trì"), required=False)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.leaders = {
            str(m.user_id): m.user
            for m in Member.objects.filter(
                centre=centre, is_active=True, role__in=[Role.COMMANDER, Role.DEPUTY]
            ).select_related("user")
        }
        choices: list[tuple[str, Any]] = [
            ("", _("Tự động: chỉ huy trưởng hoặc phó chỉ huy trưởng trực chỉ huy"))
        ]
        choices += [(pk, u.get_full_name() or u.get_username()) for pk, u in self.leaders.items()]
        set_choices(self, "chair", choices)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "starts_at": combine(data["date"], data["time"]),
            "duration_minutes": data["duration_minutes"],
            "chair": self.leaders.get(data.get("chair") or ""),
        }


def _room_label(kind: VenueKind, room: str, capacity: int | None) -> str:
    text = f"{kind.label}: {room or '—'}"
    if capacity:
        text += str(_(" (%(n)d chỗ)") % {"n": capacity})
    return text


class ChangeForm(forms.Form):
    """R5: venue of the centre's point and the time."""

    venue_kind = forms.ChoiceField(label=_("Điểm cầu trung tâm"), choices=VenueKind.choices)
    venue_other = forms.CharField(label=_("Địa điểm khác"), max_length=200, required=False)
    date = date_field(_("Ngày họp"))
    time = time_field(_("Giờ họp"))
    override_reason = forms.CharField(
        label=_("Lý do thay đổi sau thời hạn"),
        max_length=300,
        required=False,
        help_text=_("Chỉ chỉ huy trưởng hoặc người chủ trì; bắt buộc khi đã quá thời hạn thay đổi."),
    )

    def __init__(self, *args: Any, briefing: Briefing, **kwargs: Any) -> None:
        self.briefing = briefing
        centre = briefing.centre
        local = timezone.localtime(briefing.starts_at)
        kwargs.setdefault(
            "initial",
            {
                "venue_kind": briefing.venue_kind,
                "venue_other": briefing.venue if briefing.venue_kind == VenueKind.OTHER else "",
                "date": local.date(),
                "time": local.time(),
            },
        )
        super().__init__(*args, **kwargs)
        labels = {
            VenueKind.PRIMARY: _room_label(
                VenueKind.PRIMARY, centre.room_primary, centre.room_primary_capacity
            ),
            VenueKind.FALLBACK: _room_label(
                VenueKind.FALLBACK, centre.room_fallback, centre.room_fallback_capacity
            ),
            VenueKind.OTHER: str(VenueKind.OTHER.label),
        }
        set_choices(
            self,
            "venue_kind",
            [
                (k, labels[VenueKind(k)])
                for k, _l in VenueKind.choices
                if k == VenueKind.OTHER
                or (k == VenueKind.PRIMARY and centre.room_primary)
                or (k == VenueKind.FALLBACK and centre.room_fallback)
            ],
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("venue_kind") == VenueKind.OTHER and not (data.get("venue_other") or "").strip():
            self.add_error("venue_other", _("Nhập địa điểm khác."))
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        centre = self.briefing.centre
        kind = data["venue_kind"]
        venue = {
            VenueKind.PRIMARY: centre.room_primary,
            VenueKind.FALLBACK: centre.room_fallback,
        }.get(VenueKind(kind), (data.get("venue_other") or "").strip())
        return {
            "venue": venue,
            "venue_kind": kind,
            "starts_at": combine(data["date"], data["time"]),
            "override_reason": data.get("override_reason") or "",
        }


class SettingsForm(forms.ModelForm):
    regular_time = time_field(_("Giờ giao ban định kỳ"))

    class Meta:
        model = BriefingSettings
        fields = ["regular_enabled", "regular_time", "duration_minutes", "days_ahead", "video_url_template"]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Lý do huỷ"), max_length=300)


class AddParticipantForm(forms.Form):
    member = forms.ChoiceField(label=_("Thêm người dự"))

    def __init__(self, *args: Any, briefing: Briefing, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = set(briefing.participants.values_list("user_id", flat=True))
        self.member_map = {
            str(m.pk): m
            for m in Member.objects.filter(centre=briefing.centre, is_active=True)
            .exclude(user_id__in=taken)
            .select_related("user")
            .order_by("role", "id")
        }
        set_choices(self, "member", [("", "—")] + [(pk, _person(m)) for pk, m in self.member_map.items()])

    def clean_member(self) -> Member:
        return self.member_map[self.cleaned_data["member"]]


class MoveForm(forms.Form):
    point = forms.ChoiceField(label=_("Điểm cầu"))

    def __init__(self, *args: Any, briefing: Briefing, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.points = {str(p.pk): p for p in briefing.points.order_by("order", "id")}
        set_choices(self, "point", [(pk, p.label) for pk, p in self.points.items()])

    def clean_point(self) -> BridgePoint:
        return self.points[self.cleaned_data["point"]]


class PointAttendeesForm(forms.Form):
    """R12: the child centre ticks who attends at its point."""

    members = forms.MultipleChoiceField(
        label=_("Người dự tại điểm cầu"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, point: BridgePoint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member_map = {
            str(m.pk): m
            for m in Member.objects.filter(centre=point.centre, is_active=True)
            .select_related("user")
            .order_by("role", "id")
        }
        set_choices(self, "members", [(pk, _person(m)) for pk, m in self.member_map.items()])
        if not self.is_bound:
            seated = set(point.participants.values_list("user_id", flat=True))
            chosen = {m.user_id: pk for pk, m in self.member_map.items() if m.user_id in seated}
            self.initial["members"] = list(chosen.values())

    def chosen(self) -> list[Member]:
        return [self.member_map[pk] for pk in self.cleaned_data["members"]]


class AbsenceRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do xin vắng mặt"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AbsenceDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Đồng ý")), ("refuse", _("Không đồng ý"))])
    note = forms.CharField(label=_("Ý kiến"), max_length=300, required=False)


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Nội dung bổ sung"), max_length=300)
    body = forms.CharField(label=_("Chi tiết"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NotesForm(forms.Form):
    notes = forms.CharField(label=_("Ghi chép"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Kết luận chung của chủ trì"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ConclusionForm(forms.Form):
    text = forms.CharField(label=_("Kết luận"), widget=forms.Textarea(attrs={"rows": 2}))
    agenda_item = forms.ChoiceField(label=_("Thuộc nội dung"), required=False)
    assignee_member = forms.ChoiceField(label=_("Giao cho thành viên"), required=False)
    assignee_agency = forms.ChoiceField(label=_("Giao cho cơ quan"), required=False)
    assignee_centres = forms.MultipleChoiceField(
        label=_("Giao cho trung tâm cấp dưới"), required=False, widget=forms.CheckboxSelectMultiple
    )
    deadline_date = date_field(_("Thời hạn (ngày)"), required=False)
    deadline_time = time_field(_("Thời hạn (giờ)"), required=False)
    priority = forms.ChoiceField(
        label=_("Mức ưu tiên"), choices=TaskPriority.choices, initial=TaskPriority.NORMAL
    )

    def __init__(self, *args: Any, briefing: Briefing, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        centre = briefing.centre
        self.items = {
            str(i.pk): i for i in AgendaItem.objects.filter(briefing=briefing).order_by("position", "id")
        }
        self.member_map = {
            str(m.pk): m
            for m in Member.objects.filter(centre=centre, is_active=True)
            .select_related("user")
            .order_by("role", "id")
        }
        self.agency_map = {str(a.pk): a for a in Agency.objects.filter(centre=centre)}
        self.centre_map = {str(c.pk): c for c in Centre.objects.filter(parent=centre).order_by("path")}
        set_choices(
            self,
            "agenda_item",
            [("", "—")]
            + [(pk, f"{n}. {i.title[:80]}") for n, (pk, i) in enumerate(self.items.items(), start=1)],
        )
        set_choices(
            self, "assignee_member", [("", "—")] + [(pk, _person(m)) for pk, m in self.member_map.items()]
        )
        set_choices(
            self, "assignee_agency", [("", "—")] + [(pk, str(a)) for pk, a in self.agency_map.items()]
        )
        set_choices(self, "assignee_centres", [(pk, c.name) for pk, c in self.centre_map.items()])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, at = data.get("deadline_date"), data.get("deadline_time")
        if at and not day:
            self.add_error("deadline_date", _("Nhập ngày của thời hạn."))
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        day, at = data.get("deadline_date"), data.get("deadline_time")
        return {
            "text": data["text"],
            "agenda_item": self.items.get(data.get("agenda_item") or ""),
            "assignee_member": self.member_map.get(data.get("assignee_member") or ""),
            "assignee_agency": self.agency_map.get(data.get("assignee_agency") or ""),
            "assignee_centres": [self.centre_map[pk] for pk in data.get("assignee_centres") or []],
            "deadline": combine(day, at or dt.time(17, 0)) if day else None,
            "priority": data["priority"],
        }


class StatsForm(forms.Form):
    date_from = date_field(_("Từ ngày"))
    date_to = date_field(_("Đến ngày"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        a, b = data.get("date_from"), data.get("date_to")
        if a and b and a > b:
            self.add_error("date_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        if a and b and (b - a).days > 366:
            self.add_error("date_to", _("Chỉ thống kê tối đa một năm mỗi lần."))
        return data


ATTENDANCE_CHOICES = [
    (Attendance.PRESENT, Attendance.PRESENT.label),
    (Attendance.EXCUSED, Attendance.EXCUSED.label),
    (Attendance.UNEXCUSED, Attendance.UNEXCUSED.label),
]
POINT_KINDS = PointKind
