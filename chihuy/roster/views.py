"""Duty roster pages: thin views over services, selectors and the permission layer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chihuy.centres.access import Action, access_centre, access_scoped, can
from chihuy.centres.models import Member
from chihuy.core.forms import add_service_errors, flash_errors
from chihuy.roster import exports, feeds, selectors, services
from chihuy.roster.coverage import coverage_gaps
from chihuy.roster.forms import (
    AssignmentForm,
    GenerateForm,
    LeaveForm,
    RosterSettingsForm,
    StaffingForm,
    SwapForm,
    parse_anchor,
    shift_formset,
)
from chihuy.roster.models import Assignment, CalendarToken, Roster, SwapRequest, Unavailability


def _mode(request: HttpRequest) -> str:
    mode = request.GET.get("view", "week")
    return mode if mode in selectors.CALENDAR_MODES else "week"


def _back(request: HttpRequest, default: str) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect(default)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    centre = request.centre  # type: ignore[attr-defined]
    if centre is None:
        return redirect("roster:mine")
    return redirect("roster:centre", pk=centre.pk)


@login_required
def centre_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk)
    can_edit = can(request.user, centre, Action.EDIT)
    anchor = parse_anchor(request.GET.get("date"), timezone.localdate())
    cal = selectors.calendar_view(
        mode=_mode(request), anchor=anchor, centre=centre, published_only=not can_edit
    )
    context = {
        "centre": centre,
        "cal": cal,
        "can_edit": can_edit,
        "rosters": selectors.roster_list(user=request.user, centre=centre)[:12],
        "gaps": coverage_gaps(centre=centre),
        "form": GenerateForm(initial={"start": cal.start, "end": cal.end}),
        "base_url": request.path,
    }
    template = "roster/centre_calendar.html#calendar" if request.htmx else "roster/centre_calendar.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def person_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    member = access_scoped(request.user, Member.objects.select_related("user", "centre"), pk)
    anchor = parse_anchor(request.GET.get("date"), timezone.localdate())
    own = member.user_id == request.user.pk
    cal = selectors.calendar_view(
        mode=_mode(request),
        anchor=anchor,
        user=member.user,
        published_only=not (own or can(request.user, member.centre, Action.EDIT)),
    )
    template = "roster/person_calendar.html#calendar" if request.htmx else "roster/person_calendar.html"  # type: ignore[attr-defined]
    return render(request, template, {"member": member, "cal": cal, "base_url": request.path})


@login_required
def my_shifts(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    upcoming = list(selectors.my_upcoming(user=request.user, now=now))
    context = {
        "upcoming": upcoming,
        "now": now,
        "swaps": selectors.swaps_for(user=request.user),
        "feed_url": request.build_absolute_uri(
            feeds.person_feed_path(services.calendar_token_for(user=request.user))
        ),
    }
    return render(request, "roster/my_shifts.html", context)


@require_POST
@login_required
def roster_generate(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk, Action.EDIT)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, str(e))
        return redirect("roster:centre", pk=centre.pk)
    try:
        roster = services.roster_generate(
            centre=centre, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        )
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("roster:centre", pk=centre.pk)
    messages.success(
        request, _("Đã lập bản nháp lịch trực; %(n)d vị trí chưa bố trí được.") % {"n": len(roster.unfilled)}
    )
    return redirect("roster:detail", pk=roster.pk)


@login_required
def roster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    roster = access_scoped(request.user, Roster.objects.select_related("centre"), pk)
    can_edit = can(request.user, roster.centre, Action.EDIT)
    if not roster.is_published and not can_edit:
        raise Http404
    assignments = roster.assignments.select_related("member__user", "agency", "shift", "checkin").order_by(
        "start", "role", "agency__order"
    )
    context = {
        "roster": roster,
        "centre": roster.centre,
        "assignments": assignments,
        "can_edit": can_edit,
        "now": timezone.now(),
    }
    return render(request, "roster/roster_detail.html", context)


@require_POST
@login_required
def roster_publish(request: HttpRequest, pk: int) -> HttpResponse:
    roster = access_scoped(request.user, Roster.objects.select_related("centre"), pk, Action.EDIT)
    try:
        services.roster_publish(roster=roster)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã ban hành lịch trực và gửi thông báo cho người trực, các cơ quan."))
    return redirect("roster:detail", pk=roster.pk)


@require_POST
@login_required
def roster_delete(request: HttpRequest, pk: int) -> HttpResponse:
    roster = access_scoped(request.user, Roster.objects.select_related("centre"), pk, Action.EDIT)
    try:
        services.roster_delete(roster=roster)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("roster:detail", pk=roster.pk)
    messages.success(request, _("Đã xoá bản nháp."))
    return redirect("roster:centre", pk=roster.centre_id)


def _assignment(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Assignment:
    return access_scoped(
        request.user,
        Assignment.objects.select_related("centre", "roster", "member__user", "agency"),
        pk,
        action,
    )


@require_http_methods(["GET", "POST"])
@login_required
def assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    a = _assignment(request, pk, Action.EDIT)
    initial = {
        "member": a.member_id,
        "start": timezone.localtime(a.start).strftime("%H:%M %d/%m/%Y"),
        "end": timezone.localtime(a.end).strftime("%H:%M %d/%m/%Y"),
        "override_reason": a.override_reason,
    }
    form = AssignmentForm(request.POST or None, initial=initial, centre=a.centre)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_update(
                assignment=a,
                member=data["member"],
                start=data["start"],
                end=data["end"],
                override_reason=data["override_reason"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã cập nhật ca trực."))
            return redirect("roster:detail", pk=a.roster_id)
    return render(request, "roster/assignment_form.html", {"form": form, "assignment": a, "centre": a.centre})


@require_POST
@login_required
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    a = _assignment(request, pk)
    if a.user_id != request.user.pk:
        raise PermissionDenied(_("Chỉ người được phân công mới điểm danh ca này."))
    try:
        services.checkin_record(assignment=a, user=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(
            request, _("Đã điểm danh lúc %(t)s.") % {"t": timezone.localtime().strftime("%H:%M")}
        )
    return _back(request, "roster:mine")


@require_POST
@login_required
def take_over(request: HttpRequest, pk: int) -> HttpResponse:
    a = _assignment(request, pk)
    member = (
        Member.objects.filter(centre=a.centre, user_id=int(request.user.pk or 0), is_active=True)
        .select_related("user")
        .order_by("role")
    )
    me = next((m for m in member if m.agency_id == a.agency_id), None) or next(iter(member), None)
    if me is None:
        raise PermissionDenied(_("Bạn không có vai trò tại trung tâm này."))
    try:
        services.assignment_take_over(assignment=a, member=me)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Bạn đã nhận ca này; ban chỉ huy và bộ phận thường trực đã được báo."))
    return _back(request, "roster:mine")


@require_http_methods(["GET", "POST"])
@login_required
def swap_create(request: HttpRequest, pk: int) -> HttpResponse:
    a = _assignment(request, pk)
    if a.user_id != request.user.pk:
        raise PermissionDenied(_("Chỉ người được phân công mới xin đổi ca này."))
    form = SwapForm(request.POST or None, centre=a.centre, exclude_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.swap_request(
                assignment=a,
                user=request.user,
                counterpart=form.cleaned_data["counterpart"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã gửi đề nghị đổi ca."))
            return redirect("roster:mine")
    return render(request, "roster/swap_form.html", {"form": form, "assignment": a, "centre": a.centre})


def _swap(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> SwapRequest:
    return access_scoped(
        request.user,
        SwapRequest.objects.select_related("assignment__centre", "counterpart", "requester"),
        pk,
        action,
    )


@require_POST
@login_required
def swap_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if decision not in ("accept", "approve", "reject"):
        raise Http404
    swap = _swap(request, pk, Action.APPROVE if decision == "approve" else Action.VIEW)
    if decision == "accept" and swap.counterpart.user_id != request.user.pk:
        raise PermissionDenied(_("Chỉ người được đề nghị nhận ca mới đồng ý được."))
    if decision == "reject" and not (
        swap.counterpart.user_id == request.user.pk
        or can(request.user, swap.assignment.centre, Action.APPROVE)
    ):
        raise PermissionDenied(_("Bạn không được từ chối yêu cầu này."))
    try:
        if decision == "accept":
            swap = services.swap_accept(swap=swap, user=request.user)
        elif decision == "approve":
            swap = services.swap_approve(swap=swap, by=request.user)
        else:
            swap = services.swap_reject(swap=swap, by=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Yêu cầu đổi ca: %(s)s.") % {"s": swap.get_status_display()})
    return _back(request, "roster:mine")


@require_GET
@login_required
def on_duty(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk)
    context: dict[str, Any] = {
        "duty": selectors.on_duty_now(centre=centre),
        "centre": centre,
        "gap_count": len(coverage_gaps(centre=centre)),
    }
    return render(request, "roster/_on_duty.html", context)


@require_GET
@login_required
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    roster = access_scoped(request.user, Roster.objects.select_related("centre"), pk)
    if not roster.is_published and not can(request.user, roster.centre, Action.EDIT):
        raise Http404
    response = HttpResponse(
        exports.roster_xlsx(roster=roster),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="lich-truc-{roster.centre.short_code}-{roster.start:%Y%m}.xlsx"'
    )
    return response


@require_GET
@login_required
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    roster = access_scoped(request.user, Roster.objects.select_related("centre"), pk)
    if not roster.is_published and not can(request.user, roster.centre, Action.EDIT):
        raise Http404
    response = HttpResponse(exports.roster_pdf(roster=roster), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="lich-truc-{roster.centre.short_code}-{roster.start:%Y%m}.pdf"'
    )
    return response


@require_GET
@login_required
def centre_feed_link(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk, Action.EDIT)
    url = request.build_absolute_uri(feeds.centre_feed_path(services.calendar_token_for(centre=centre)))
    return render(request, "roster/feed_link.html", {"centre": centre, "url": url})


@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret URL is the credential: calendar apps cannot log in."""
    row = CalendarToken.objects.select_related("user", "centre").filter(token=token).first()
    if row is None:
        raise Http404
    body = feeds.person_ical(user=row.user) if row.user_id else feeds.centre_ical(centre=row.centre)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


# --- settings (R1, R2, R9) --------------------------------------------------------------------


def _settings_page(
    request: HttpRequest,
    centre: Any,
    *,
    settings_form: RosterSettingsForm | None = None,
    shifts: Any = None,
    staffing: StaffingForm | None = None,
) -> HttpResponse:
    view = selectors.roster_settings_view(centre=centre)
    context = {
        "centre": centre,
        "view": view,
        "settings_form": settings_form or RosterSettingsForm(instance=view.settings),
        "shifts": shifts if shifts is not None else shift_formset(None, view.shifts),
        "staffing": staffing or StaffingForm(view=view),
    }
    return render(request, "roster/settings.html", context)


@require_GET
@login_required
def roster_settings(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk, Action.EDIT)
    # The first visit by the centre's staff materialises the default shifts and staffing of R1
    # so that what the page shows is what the generator will use.
    services.roster_setup(centre=centre)
    return _settings_page(request, centre)


def _saved(request: HttpRequest, centre: Any, message: str, anchor: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("roster:settings", args=[centre.pk]) + anchor)


@require_POST
@login_required
def roster_settings_save(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk, Action.EDIT)
    instance = services.roster_setup(centre=centre)
    form = RosterSettingsForm(request.POST, instance=instance)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.roster_settings_update(
                centre=centre,
                min_rest_hours=data["min_rest_hours"],
                checkin_grace_minutes=data["checkin_grace_minutes"],
                auto_approve_swaps=data["auto_approve_swaps"],
                command_duty=data["command_duty"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _saved(request, centre, _("Đã lưu quy định lịch trực."), "#roster-rules")
    return _settings_page(request, centre, settings_form=form)


@require_POST
@login_required
def roster_shifts_save(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk, Action.EDIT)
    view = selectors.roster_settings_view(centre=centre)
    formset = shift_formset(request.POST, view.shifts)
    if formset.is_valid():
        rows = formset.rows()
        try:
            services.shift_pattern_set(centre=centre, rows=rows)
        except ValidationError as exc:
            for msg in exc.messages:
                formset.non_form_errors().append(msg)
        else:
            added = any(r.pk is None and not r.delete for r in rows)
            message = _("Đã lưu các ca trực; lịch lập từ nay dùng giờ mới.")
            if added:
                message += " " + _("Hãy đặt định mức trực cho ca mới ở bảng định mức.")
            return _saved(request, centre, message, "#roster-shifts")
    return _settings_page(request, centre, shifts=formset)


@require_POST
@login_required
def roster_staffing_save(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk, Action.EDIT)
    view = selectors.roster_settings_view(centre=centre)
    form = StaffingForm(request.POST, view=view)
    if form.is_valid():
        try:
            services.staffing_table_set(centre=centre, cells=form.cells())
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return _saved(request, centre, _("Đã lưu định mức trực."), "#roster-staffing")
    return _settings_page(request, centre, staffing=form)


# --- leave ------------------------------------------------------------------------------------


def _leave_recorded(request: HttpRequest, leave: Unavailability) -> None:
    messages.success(
        request,
        _("Đã ghi nghỉ phép của %(name)s từ %(a)s đến %(b)s.")
        % {
            "name": leave.member.user,
            "a": timezone.localtime(leave.start).strftime("%d/%m/%Y"),
            "b": timezone.localtime(leave.end - dt.timedelta(seconds=1)).strftime("%d/%m/%Y"),
        },
    )
    clashes = selectors.leave_conflicts(leave=leave)
    if clashes:
        messages.warning(
            request,
            _(
                "%(name)s đã được phân công %(n)d ca trong thời gian nghỉ: chỉ huy, bộ phận thường "
                "trực cần sửa các ca đó hoặc lập lại bản nháp."
            )
            % {"name": leave.member.user, "n": clashes},
        )


def _leave_page(request: HttpRequest, form: LeaveForm, *, centre: Any = None) -> HttpResponse:
    leaves = selectors.leave_list(
        user=request.user, centre=centre, person=None if centre is not None else request.user
    )
    context = {"form": form, "centre": centre, "leaves": leaves, "next": request.path}
    return render(request, "roster/leave.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def leave_mine(request: HttpRequest) -> HttpResponse:
    """A member records his own leave (issue 4): at one of the centres where he serves."""
    members = Member.objects.filter(user_id=int(request.user.pk or 0), is_active=True).order_by(
        "centre__path", "role"
    )
    form = LeaveForm(request.POST or None, members=members, own=True)
    if request.method == "POST" and form.is_valid():
        start, end = form.bounds()
        try:
            leave = services.unavailability_create(
                member=form.cleaned_data["member"],
                start=start,
                end=end,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _leave_recorded(request, leave)
            return redirect("roster:leave_mine")
    return _leave_page(request, form)


@require_http_methods(["GET", "POST"])
@login_required
def centre_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """The centre's staff record and review anyone's leave."""
    centre = access_centre(request.user, pk, Action.EDIT)
    members = Member.objects.filter(centre=centre, is_active=True).order_by("agency__order", "role", "id")
    form = LeaveForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        start, end = form.bounds()
        try:
            leave = services.unavailability_create(
                member=form.cleaned_data["member"],
                start=start,
                end=end,
                reason=form.cleaned_data["reason"],
                centre=centre,
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _leave_recorded(request, leave)
            return redirect("roster:centre_leave", pk=centre.pk)
    return _leave_page(request, form, centre=centre)


@require_POST
@login_required
def leave_delete(request: HttpRequest, pk: int) -> HttpResponse:
    leave = access_scoped(
        request.user, Unavailability.objects.select_related("member__user", "member__centre"), pk
    )
    if leave.member.user_id != request.user.pk and not can(request.user, leave.member.centre, Action.EDIT):
        raise PermissionDenied(_("Chỉ người nghỉ hoặc chỉ huy, bộ phận thường trực được xoá nghỉ phép này."))
    try:
        services.unavailability_delete(leave=leave, by=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã xoá nghỉ phép của %(name)s.") % {"name": leave.member.user})
    return _back(request, "roster:leave_mine")
