"""Briefing pages: thin views over the services, selectors and the permission layer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chihuy.briefings import exports, minutes, selectors, services
from chihuy.briefings.access import (
    BriefingAction,
    can_briefing,
    can_choose_at_point,
    can_schedule,
    require_briefing,
)
from chihuy.briefings.choices import Attendance, BriefingStatus, PointKind
from chihuy.briefings.forms import (
    ATTENDANCE_CHOICES,
    AbsenceDecideForm,
    AbsenceRequestForm,
    AddParticipantForm,
    AgendaItemForm,
    BriefingForm,
    CancelForm,
    ChangeForm,
    ConclusionForm,
    MoveForm,
    NotesForm,
    PointAttendeesForm,
    SettingsForm,
    StatsForm,
    SummaryForm,
)
from chihuy.briefings.models import AbsenceRequest, AgendaItem, BridgePoint, Briefing, Conclusion, Participant
from chihuy.centres.access import access_centre
from chihuy.core.forms import add_service_errors, flash_errors, run_form_action


def _centre(request: HttpRequest) -> Any:
    centre = request.centre  # type: ignore[attr-defined]
    if centre is None:
        raise Http404(_("Bạn chưa có vai trò tại trung tâm nào."))
    return centre


def _briefing(request: HttpRequest, pk: int, action: BriefingAction = BriefingAction.VIEW) -> Briefing:
    return selectors.briefing_get(user=request.user, pk=pk, action=action)


def _require_schedule(request: HttpRequest, centre: Any) -> None:
    if not can_schedule(request.user, centre):
        raise PermissionDenied(_("Vai trò của bạn không được phép thực hiện thao tác này."))


# --- Schedule --------------------------------------------------------------------------


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Upcoming and past briefings of the active centre, and the ones it joins as a point."""
    centre = _centre(request)
    upcoming = list(
        selectors.briefing_list(user=request.user, centre=centre, when="upcoming", joined=True)[:30]
    )
    past = list(selectors.briefing_list(user=request.user, centre=centre, when="past", joined=True)[:30])
    context = {
        "centre": centre,
        "upcoming": upcoming,
        "past": past,
        "can_schedule": can_schedule(request.user, centre),
        "settings_obj": services.briefing_settings_for(centre),
        "mine": selectors.joined_upcoming(user=request.user),
    }
    return render(request, "briefings/index.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def briefing_create(request: HttpRequest) -> HttpResponse:
    centre = _centre(request)
    _require_schedule(request, centre)
    form = BriefingForm(request.POST or None, centre=centre)
    if request.method == "POST" and form.is_valid():
        try:
            briefing = services.briefing_create(centre=centre, actor=request.user, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lên lịch và thông báo: %(b)s.") % {"b": briefing})
            return redirect("briefings:detail", pk=briefing.pk)
    return render(request, "briefings/briefing_form.html", {"centre": centre, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def settings_edit(request: HttpRequest) -> HttpResponse:
    centre = _centre(request)
    _require_schedule(request, centre)
    current = services.briefing_settings_for(centre)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.briefing_settings_update(centre=centre, actor=request.user, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thiết lập giao ban."))
            return redirect("briefings:index")
    return render(request, "briefings/settings_form.html", {"centre": centre, "form": form})


@require_POST
@login_required
def ensure_upcoming(request: HttpRequest) -> HttpResponse:
    centre = _centre(request)
    _require_schedule(request, centre)
    created = services.briefings_ensure_upcoming(centre=centre, actor=request.user)
    messages.success(request, _("Đã tạo %(n)d cuộc giao ban định kỳ sắp tới.") % {"n": len(created)})
    return redirect("briefings:index")


# --- One briefing ----------------------------------------------------------------------


@require_GET
@login_required
def briefing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _briefing(request, pk)
    user = request.user
    rows = selectors.points_with_participants(briefing)
    hq_count = len(
        [
            p
            for r in rows
            if r.point.kind == PointKind.HQ
            for p in r.participants
            if p.attendance != Attendance.EXCUSED
        ]
    )
    me = next((p for r in rows for p in r.participants if p.user_id == user.pk), None)
    organise = can_briefing(user, briefing, BriefingAction.ORGANISE)
    decide = can_briefing(user, briefing, BriefingAction.DECIDE)
    pending = list(selectors.pending_absences(briefing=briefing))
    now = timezone.now()
    context = {
        "briefing": briefing,
        "rows": rows,
        "total": sum(len(r.participants) for r in rows),
        "me": me,
        "organise": organise and briefing.is_open,
        "decide": decide and briefing.is_open,
        "pending": [a for a in pending if services.can_decide_absence(user, a)],
        "advice": selectors.room_advice(briefing=briefing, hq_count=hq_count),
        "changes": briefing.changes.select_related("changed_by"),
        "late": now >= briefing.change_deadline,
        "before_start": now < briefing.starts_at,
        "attendance_open": briefing.status != BriefingStatus.CANCELLED
        and now >= briefing.starts_at - services.ATTENDANCE_OPENS,
        "attendance_choices": ATTENDANCE_CHOICES,
        "add_form": AddParticipantForm(briefing=briefing) if organise else None,
        "move_form": MoveForm(briefing=briefing) if decide else None,
        "absence_form": AbsenceRequestForm(),
        "my_points": selectors.child_points_for(user=user, briefing=briefing),
        "cancel_form": CancelForm(),
    }
    return render(request, "briefings/briefing_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def briefing_change(request: HttpRequest, pk: int) -> HttpResponse:
    """R5: venue and time; too late → a clear refusal unless the commander overrides."""
    briefing = _briefing(request, pk, BriefingAction.ORGANISE)
    form = ChangeForm(request.POST or None, briefing=briefing)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.briefing_change(briefing=briefing, actor=request.user, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã thay đổi và thông báo cho %(n)d người dự họp.")
                % {"n": changes[0].notified if changes else 0},
            )
            return redirect("briefings:detail", pk=briefing.pk)
    context = {
        "briefing": briefing,
        "form": form,
        "late": timezone.now() >= briefing.change_deadline,
        "late_message": services.late_change_message(briefing),
        "can_override": can_briefing(request.user, briefing, BriefingAction.DECIDE),
    }
    return render(request, "briefings/change_form.html", context)


@require_POST
@login_required
def briefing_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _briefing(request, pk, BriefingAction.DECIDE)

    def act(data: dict[str, Any]) -> str:
        services.briefing_cancel(briefing=briefing, actor=request.user, reason=data["reason"])
        return _("Đã huỷ cuộc họp và thông báo cho người dự.")

    run_form_action(request, CancelForm(request.POST), act)
    return redirect("briefings:detail", pk=briefing.pk)


# --- Participants ----------------------------------------------------------------------


def _participant(request: HttpRequest, pk: int, ppk: int) -> tuple[Briefing, Participant]:
    briefing = _briefing(request, pk)
    participant = get_object_or_404(
        Participant.objects.select_related("user", "point"), pk=ppk, briefing=briefing
    )
    return briefing, participant


@require_POST
@login_required
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _briefing(request, pk, BriefingAction.ORGANISE)

    def act(data: dict[str, Any]) -> str:
        p = services.participant_add(briefing=briefing, actor=request.user, member=data["member"])
        return _("Đã mời %(u)s dự họp.") % {"u": p.user}

    run_form_action(request, AddParticipantForm(request.POST, briefing=briefing), act)
    return redirect("briefings:detail", pk=briefing.pk)


@require_POST
@login_required
def participant_move(request: HttpRequest, pk: int, ppk: int) -> HttpResponse:
    """R26 (the commander seats people) and R7 (a participant joins from his own device)."""
    briefing, participant = _participant(request, pk, ppk)
    if participant.user_id != request.user.pk:
        require_briefing(request.user, briefing, BriefingAction.DECIDE)

    def act(data: dict[str, Any]) -> str:
        services.participant_move(participant=participant, actor=request.user, point=data["point"])
        return _("%(u)s dự tại: %(p)s.") % {"u": participant.user, "p": participant.point}

    run_form_action(request, MoveForm(request.POST, briefing=briefing), act)
    return redirect("briefings:detail", pk=briefing.pk)


@require_POST
@login_required
def participant_remove(request: HttpRequest, pk: int, ppk: int) -> HttpResponse:
    briefing, participant = _participant(request, pk, ppk)
    require_briefing(request.user, briefing, BriefingAction.ORGANISE)
    try:
        services.participant_remove(participant=participant, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã bỏ %(u)s khỏi danh sách dự họp.") % {"u": participant.user})
    return redirect("briefings:detail", pk=briefing.pk)


@require_http_methods(["GET", "POST"])
@login_required
def point_attendees(request: HttpRequest, pk: int, point_pk: int) -> HttpResponse:
    """R12: the child centre chooses who attends at its own point."""
    briefing = _briefing(request, pk)
    point = get_object_or_404(
        BridgePoint.objects.select_related("centre", "briefing"),
        pk=point_pk,
        briefing=briefing,
        kind=PointKind.CHILD,
    )
    if not can_choose_at_point(request.user, point):
        raise PermissionDenied(
            _("Chỉ trung tâm %(c)s chọn người dự tại điểm cầu của mình.") % {"c": point.centre}
        )
    form = PointAttendeesForm(request.POST or None, point=point)
    if request.method == "POST" and form.is_valid():
        try:
            services.point_choose_attendees(point=point, actor=request.user, members=form.chosen())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã cập nhật người dự tại %(p)s.") % {"p": point})
            return redirect("briefings:detail", pk=briefing.pk)
    return render(request, "briefings/point_form.html", {"briefing": briefing, "point": point, "form": form})


# --- Absences and attendance (R10) -----------------------------------------------------


@require_POST
@login_required
def absence_request(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _briefing(request, pk)
    participant = selectors.participant_of(briefing=briefing, user=request.user)
    if participant is None:
        raise PermissionDenied(_("Bạn không có trong danh sách dự cuộc họp này."))

    def act(data: dict[str, Any]) -> str:
        services.absence_request(participant=participant, actor=request.user, reason=data["reason"])
        return _("Đã gửi đơn xin vắng mặt; chờ chỉ huy trưởng quyết định.")

    run_form_action(request, AbsenceRequestForm(request.POST), act)
    return redirect("briefings:detail", pk=briefing.pk)


@require_POST
@login_required
def absence_decide(request: HttpRequest, pk: int, absence_pk: int) -> HttpResponse:
    briefing = _briefing(request, pk)
    absence = get_object_or_404(
        AbsenceRequest.objects.select_related("participant__user", "participant__briefing__centre"),
        pk=absence_pk,
        participant__briefing=briefing,
    )
    if absence.participant.user_id != request.user.pk and not services.can_decide_absence(
        request.user, absence
    ):
        raise PermissionDenied(_("Chỉ chỉ huy trưởng hoặc người chủ trì cuộc họp được duyệt đơn xin vắng."))

    def act(data: dict[str, Any]) -> str:
        approve = data["decision"] == "approve"
        services.absence_decide(absence=absence, actor=request.user, approve=approve, note=data["note"])
        return _("Đã quyết định đơn xin vắng của %(u)s.") % {"u": absence.participant.user}

    run_form_action(request, AbsenceDecideForm(request.POST), act)
    return redirect("briefings:detail", pk=briefing.pk)


@require_POST
@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance sheet: one row per participant, all saved or none."""
    briefing = _briefing(request, pk, BriefingAction.ORGANISE)
    people = {str(p.pk): p for p in briefing.participants.select_related("user")}
    points = {str(p.pk): p for p in briefing.points.all()}
    rows = []
    for key, value in request.POST.items():
        value = str(value)
        if not key.startswith("att-") or not value:
            continue
        participant = people.get(key[4:])
        if participant is None:
            messages.error(request, _("Có người không thuộc danh sách dự họp; trang đã cũ, hãy tải lại."))
            return redirect("briefings:detail", pk=briefing.pk)
        if value == Attendance.UNKNOWN:
            continue
        point = points.get(request.POST.get(f"pt-{key[4:]}", ""))
        rows.append((participant.user, value, point))
    try:
        n = services.attendance_record_many(briefing=briefing, actor=request.user, rows=rows)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã ghi điểm danh %(n)d người.") % {"n": n})
    return redirect("briefings:detail", pk=briefing.pk)


# --- Agenda and minutes ----------------------------------------------------------------


def _minutes_context(request: HttpRequest, briefing: Briefing) -> dict[str, Any]:
    organise = can_briefing(request.user, briefing, BriefingAction.ORGANISE) and briefing.is_open
    items = list(briefing.agenda.select_related("added_by").order_by("position", "id"))
    conclusions = list(
        briefing.conclusions.select_related("assignee_member__user", "assignee_agency", "agenda_item")
        .prefetch_related("assignee_centres", "task")
        .order_by("position", "id")
    )
    return {
        "briefing": briefing,
        "items": items,
        "conclusions": conclusions,
        "organise": organise,
        "can_task": can_briefing(request.user, briefing, BriefingAction.ORGANISE)
        and briefing.status != BriefingStatus.CANCELLED,
        "item_form": AgendaItemForm(),
        "conclusion_form": ConclusionForm(briefing=briefing) if organise else None,
        "summary_form": SummaryForm(initial={"summary": briefing.minutes_summary}),
        "directives_ready": minutes.task_service_ready(),
    }


@require_GET
@login_required
def minutes_page(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _briefing(request, pk)
    return render(request, "briefings/minutes.html", _minutes_context(request, briefing))


def _agenda_response(request: HttpRequest, briefing: Briefing) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "briefings/minutes.html#agenda", _minutes_context(request, briefing))
    return redirect("briefings:minutes", pk=briefing.pk)


@require_POST
@login_required
def agenda_build(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _briefing(request, pk, BriefingAction.ORGANISE)
    try:
        result = minutes.agenda_build(briefing=briefing, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã thêm %(n)d nội dung vào chương trình.") % {"n": result.added})
        if result.unavailable:
            messages.warning(
                request,
                _("Chưa lấy được: %(s)s (phân hệ chưa sẵn sàng).") % {"s": ", ".join(result.unavailable)},
            )
    return redirect("briefings:minutes", pk=briefing.pk)


@require_POST
@login_required
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _briefing(request, pk, BriefingAction.ORGANISE)

    def act(data: dict[str, Any]) -> None:
        minutes.agenda_item_add(briefing=briefing, actor=request.user, **data)

    run_form_action(request, AgendaItemForm(request.POST), act)
    return redirect("briefings:minutes", pk=briefing.pk)


def _item(request: HttpRequest, pk: int, item_pk: int) -> tuple[Briefing, AgendaItem]:
    briefing = _briefing(request, pk, BriefingAction.ORGANISE)
    return briefing, get_object_or_404(AgendaItem, pk=item_pk, briefing=briefing)


@require_POST
@login_required
def agenda_move(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    briefing, item = _item(request, pk, item_pk)
    try:
        minutes.agenda_item_move(item=item, actor=request.user, direction=request.POST.get("direction", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    return _agenda_response(request, briefing)


@require_POST
@login_required
def agenda_notes(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    briefing, item = _item(request, pk, item_pk)

    def act(data: dict[str, Any]) -> str:
        minutes.agenda_item_update(item=item, actor=request.user, notes=data["notes"])
        return _("Đã lưu ghi chép.")

    run_form_action(request, NotesForm(request.POST), act)
    return redirect(reverse("briefings:minutes", args=[briefing.pk]) + f"#item-{item.pk}")


@require_POST
@login_required
def agenda_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    briefing, item = _item(request, pk, item_pk)
    try:
        minutes.agenda_item_delete(item=item, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    return _agenda_response(request, briefing)


@require_POST
@login_required
def conclusion_add(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _briefing(request, pk, BriefingAction.ORGANISE)
    form = ConclusionForm(request.POST, briefing=briefing)
    if form.is_valid():
        try:
            minutes.conclusion_create(briefing=briefing, actor=request.user, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi kết luận."))
            return redirect("briefings:minutes", pk=briefing.pk)
    context = _minutes_context(request, briefing)
    context["conclusion_form"] = form
    return render(request, "briefings/minutes.html", context, status=400)


def _conclusion(request: HttpRequest, pk: int, cpk: int) -> tuple[Briefing, Conclusion]:
    briefing = _briefing(request, pk, BriefingAction.ORGANISE)
    return briefing, get_object_or_404(Conclusion, pk=cpk, briefing=briefing)


@require_POST
@login_required
def conclusion_task(request: HttpRequest, pk: int, cpk: int) -> HttpResponse:
    """One click: the conclusion becomes a task."""
    briefing, conclusion = _conclusion(request, pk, cpk)
    try:
        task = minutes.conclusion_to_task(conclusion=conclusion, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    except minutes.SourceUnavailable:
        messages.error(request, _("Phân hệ nhiệm vụ chưa sẵn sàng; chưa giao được nhiệm vụ."))
    else:
        messages.success(request, _("Đã giao nhiệm vụ: %(t)s.") % {"t": task})
    return redirect("briefings:minutes", pk=briefing.pk)


@require_POST
@login_required
def conclusion_delete(request: HttpRequest, pk: int, cpk: int) -> HttpResponse:
    briefing, conclusion = _conclusion(request, pk, cpk)
    try:
        minutes.conclusion_delete(conclusion=conclusion, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("briefings:minutes", pk=briefing.pk)


@require_POST
@login_required
def minutes_summary(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _briefing(request, pk, BriefingAction.ORGANISE)

    def act(data: dict[str, Any]) -> str:
        minutes.minutes_summary_update(briefing=briefing, actor=request.user, summary=data["summary"])
        return _("Đã lưu kết luận chung.")

    run_form_action(request, SummaryForm(request.POST), act)
    return redirect("briefings:minutes", pk=briefing.pk)


@require_POST
@login_required
def minutes_publish(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _briefing(request, pk, BriefingAction.ORGANISE)
    try:
        minutes.minutes_publish(briefing=briefing, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã phát hành biên bản cho người dự họp."))
    return redirect("briefings:minutes", pk=briefing.pk)


@require_GET
@login_required
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _briefing(request, pk)
    response = HttpResponse(exports.minutes_pdf(briefing=briefing), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(briefing, "pdf")}"'
    return response


@require_GET
@login_required
def minutes_docx(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _briefing(request, pk)
    response = HttpResponse(
        exports.minutes_docx(briefing=briefing),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(briefing, "docx")}"'
    return response


# --- Statistics (R10) ------------------------------------------------------------------


@require_GET
@login_required
def stats(request: HttpRequest) -> HttpResponse:
    centre = _centre(request)
    if request.GET.get("centre"):
        centre = access_centre(request.user, request.GET["centre"])
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("date_from", (today - dt.timedelta(days=30)).strftime("%d/%m/%Y"))
    data.setdefault("date_to", today.strftime("%d/%m/%Y"))
    form = StatsForm(data)
    per_member: list[Any] = []
    per_centre: list[Any] = []
    period = ""
    if form.is_valid():
        a, b = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        per_member, per_centre = selectors.attendance_stats(
            user=request.user, centre=centre, date_from=a, date_to=b
        )
        period = selectors.stats_period_label(a, b)
    context = {
        "centre": centre,
        "form": form,
        "per_member": per_member,
        "per_centre": per_centre,
        "period": period,
    }
    return render(request, "briefings/stats.html", context)
