"""Pages of the daily reports: thin views over services, selectors and the permission layer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chihuy.core.forms import add_service_errors, flash_errors
from chihuy.reports import documents, selectors, services, spreadsheet
from chihuy.reports.access import ReportAction, access_report_centre, can_report, require_report
from chihuy.reports.choices import ImportStatus
from chihuy.reports.forms import DayPickForm, DeadlineForm, ImportUploadForm, IndicatorForm, ReportForm
from chihuy.reports.models import ReportingSettings, ReportTemplate

TREND_DAYS = 30


def _today() -> dt.date:
    return timezone.localdate()


def _active_centre(request: HttpRequest) -> Any:
    centre = getattr(request, "centre", None)
    if centre is None:
        raise Http404(_("Bạn chưa có vai trò tại trung tâm nào."))
    return centre


def _next_briefing(centre: Any) -> tuple[Any, str]:
    """The next briefing from the briefings app, and a link to it; (None, "") when there is none."""
    try:
        from chihuy.briefings.selectors import briefing_next
    except ImportError:  # the briefings app is optional for this page
        return None, ""
    briefing = briefing_next(centre=centre)
    if briefing is None:
        return None, ""
    try:
        url = reverse("briefings:detail", args=[briefing.pk])
    except NoReverseMatch:
        url = ""
    return briefing, url


def _live_context(request: HttpRequest, centre: Any) -> dict[str, Any]:
    """Everything the polled response shows: the whole dashboard except the chart's canvas."""
    from chihuy.intake.choices import IntakeStatus
    from chihuy.intake.selectors import intake_list, intake_open_count
    from chihuy.roster.selectors import on_duty_now

    today = _today()
    start = today - dt.timedelta(days=TREND_DAYS - 1)
    urgent = intake_list(user=request.user, centre=centre, include_below=True, urgent=True).filter(
        status__in=[IntakeStatus.RECEIVED, IntakeStatus.IN_PROGRESS]
    )
    briefing, briefing_url = _next_briefing(centre)
    children = selectors.has_children(centre)
    series = selectors.indicator_series(centre=centre, date_from=start, date_to=today, children=children)
    # One read of the per-day counters serves both the 7-day table and the 30-day summary above
    # it: the range's pooled rate is the sum of its days' rates (the same counts
    # ``selectors.completeness`` adds up), so the poll need not ask for it separately.
    days = selectors.completeness_by_day(centre=centre, date_from=start, date_to=today)
    range_rate = selectors.Rate()
    for _day, rate in days:
        range_rate.add(rate)
    return {
        "centre": centre,
        "today": today,
        "now": timezone.localtime(),
        "today_rate": selectors.completeness(centre=centre, date_from=today),
        "urgent_intakes": list(urgent[:8]),
        "open_count": intake_open_count(centre=centre),
        "duty": on_duty_now(centre=centre),
        "briefing": briefing,
        "briefing_url": briefing_url,
        "own_report": selectors.report_for_day(centre=centre, day=today),
        "can_file": can_report(request.user, centre, ReportAction.FILE),
        "has_children": children,
        "trends": selectors.trends(series=series, today=today),
        "trend_days": TREND_DAYS,
        "by_day": list(reversed(days[-7:])),
        "range_rate": range_rate,
        # In the polled part so the chart, drawn outside it, follows each refresh.
        "curves": selectors.epidemic_curves(centre=centre, date_from=start, date_to=today),
    }


def _dashboard(request: HttpRequest, centre: Any) -> HttpResponse:
    context = _live_context(request, centre)
    if request.htmx:  # type: ignore[attr-defined]
        # The live block and the 7-day table, which sits below the chart and is swapped out of band.
        return render(request, "reports/dashboard.html#poll", context)
    context["can_manage"] = can_report(request.user, centre, ReportAction.MANAGE)
    return render(request, "reports/dashboard.html", context)


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The command dashboard of the centre the user is working in (issue 5 §5)."""
    return _dashboard(request, _active_centre(request))


@require_GET
@login_required
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    return _dashboard(request, access_report_centre(request.user, pk))


@require_GET
@login_required
def day_view(request: HttpRequest, pk: int, day: dt.date) -> HttpResponse:
    """One day at a centre: its own report and each child's status; closing the day."""
    centre = access_report_centre(request.user, pk)
    pick = DayPickForm(request.GET or None)
    if pick.is_valid():
        return redirect("reports:day", pk=centre.pk, day=pick.cleaned_data["date"])
    rate = selectors.completeness(centre=centre, date_from=day)
    context = {
        "centre": centre,
        "day": day,
        "prev_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1) if day < _today() else None,
        "rate": rate,
        "own_report": selectors.report_for_day(centre=centre, day=day),
        "closed": services.is_day_closed(parent=centre, day=day),
        "parent_closed": services.is_day_closed(parent=centre.parent, day=day),
        "can_file": can_report(request.user, centre, ReportAction.FILE),
        "can_manage": can_report(request.user, centre, ReportAction.MANAGE),
        "deadline": services.deadline_time(parent=centre),
        "pick": DayPickForm(initial={"date": day}),
    }
    return render(request, "reports/day.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def report_file(request: HttpRequest, pk: int, day: dt.date) -> HttpResponse:
    """Draft and submit the centre's own report; a parent's is pre-filled from its children (issue 5 §4)."""
    centre = access_report_centre(request.user, pk, ReportAction.FILE)
    report = selectors.report_for_day(centre=centre, day=day)
    if report is not None and report.is_filed:
        return redirect("reports:detail", pk=report.pk)
    extras = (
        selectors.current_template_indicators(centre=centre)
        if report is None
        else (services.template_indicators(template=report.template, level=centre.level))
    )
    roll = selectors.rollup(centre=centre, day=day)
    refresh = request.method == "GET" and request.GET.get("refresh") == "1"
    if report is not None and not refresh:
        initial = ReportForm.initial_from_report(report)
    else:
        title, name = documents._commander(centre)
        initial = ReportForm.initial_from(
            roll.figures if roll.has_children else {},
            roll.extras if roll.has_children else {},
            roll.texts if roll.has_children else {},
            {
                "doc_recipient": centre.parent.name if centre.parent else "",
                "signer_title": title,
                "signer_name": name,
                **({k: getattr(report, k) for k in services.DOC_FIELDS} if report else {}),
            },
        )
    form = ReportForm(request.POST or None, initial=initial, extras=extras)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            if submit:
                report = services.report_submit(
                    centre=centre, day=day, user=request.user, **form.service_kwargs()
                )
            else:
                report = services.report_save_draft(centre=centre, day=day, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if submit:
                if report.on_time:
                    messages.success(
                        request, _("Đã nộp báo cáo ngày %(d)s đúng hạn.") % {"d": f"{day:%d/%m/%Y}"}
                    )
                else:
                    messages.warning(
                        request, _("Đã nộp báo cáo ngày %(d)s (muộn hạn).") % {"d": f"{day:%d/%m/%Y}"}
                    )
                return redirect("reports:detail", pk=report.pk)
            messages.success(request, _("Đã lưu bản nháp."))
            return redirect("reports:file", pk=centre.pk, day=day)
    context = {
        "centre": centre,
        "day": day,
        "form": form,
        "report": report,
        "rollup": roll,
        "refreshed": refresh,
        "deadline": services.deadline_at(parent=centre.parent, day=day),
        "closed": services.is_day_closed(parent=centre.parent, day=day),
        "future": day > _today(),
    }
    return render(request, "reports/report_form.html", context)


@require_GET
@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    can_file = can_report(request.user, report.centre, ReportAction.FILE)
    context = {
        "report": report,
        "centre": report.centre,
        "figures": selectors.figure_rows(report.figures()),
        "extras": selectors.report_extra_rows(report),
        "versions": report.versions.select_related("created_by").order_by("-number"),
        "can_file": can_file,
        "closed": services.is_day_closed(parent=report.parent, day=report.date),
    }
    return render(request, "reports/report_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def report_amend(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk, action=ReportAction.FILE)
    if not report.is_filed:
        return redirect("reports:file", pk=report.centre_id, day=report.date)
    extras = services.template_indicators(template=report.template, level=report.centre.level)
    form = ReportForm(
        request.POST or None, initial=ReportForm.initial_from_report(report), extras=extras, amend=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.report_amend(
                report=report, reason=form.cleaned_data["reason"], user=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã gửi báo cáo sửa đổi."))
            return redirect("reports:detail", pk=report.pk)
    context = {
        "centre": report.centre,
        "day": report.date,
        "form": form,
        "report": report,
        "amend": True,
        "closed": services.is_day_closed(parent=report.parent, day=report.date),
    }
    return render(request, "reports/report_form.html", context)


@require_GET
@login_required
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    response = HttpResponse(
        documents.report_docx(report),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{documents.filename(report, "docx")}"'
    return response


@require_GET
@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    response = HttpResponse(documents.report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.filename(report, "pdf")}"'
    return response


@require_POST
@login_required
def close_day(request: HttpRequest, pk: int, day: dt.date) -> HttpResponse:
    centre = access_report_centre(request.user, pk, ReportAction.MANAGE)
    try:
        services.day_close(centre=centre, day=day, user=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã chốt số liệu ngày %(d)s.") % {"d": f"{day:%d/%m/%Y}"})
    return redirect("reports:day", pk=centre.pk, day=day)


@require_POST
@login_required
def reopen_day(request: HttpRequest, pk: int, day: dt.date) -> HttpResponse:
    centre = access_report_centre(request.user, pk, ReportAction.MANAGE)
    try:
        services.day_reopen(centre=centre, day=day)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã mở lại ngày %(d)s.") % {"d": f"{day:%d/%m/%Y}"})
    return redirect("reports:day", pk=centre.pk, day=day)


@require_http_methods(["GET", "POST"])
@login_required
def report_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """The parent's deadline, and the province's added indicators (issue 5 §1–2)."""
    centre = access_report_centre(request.user, pk, ReportAction.MANAGE)
    current = ReportingSettings.objects.filter(centre=centre).first()
    deadline_form = DeadlineForm(
        request.POST if "deadline" in request.POST else None,
        initial={"deadline": current.deadline if current else services.deadline_time(parent=None)},
    )
    indicator_form = IndicatorForm(request.POST if "code" in request.POST else None)
    if request.method == "POST":
        if deadline_form.is_bound and deadline_form.is_valid():
            services.reporting_settings_update(centre=centre, deadline=deadline_form.cleaned_data["deadline"])
            messages.success(request, _("Đã lưu hạn nộp báo cáo."))
            return redirect("reports:settings", pk=centre.pk)
        if indicator_form.is_bound and indicator_form.is_valid():
            try:
                template = services.template_add_indicator(
                    owner=centre, user=request.user, **indicator_form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(indicator_form, exc)
            else:
                messages.success(request, _("Đã tạo mẫu báo cáo phiên bản %(v)d.") % {"v": template.version})
                return redirect("reports:settings", pk=centre.pk)
    templates = (
        ReportTemplate.objects.filter(owner=centre).prefetch_related("indicators").order_by("-version")
    )
    context = {
        "centre": centre,
        "deadline_form": deadline_form,
        "indicator_form": indicator_form,
        "templates": templates,
        "can_add_indicator": centre.level in ("province", "national"),
    }
    return render(request, "reports/settings.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a sheet of one day's figures for the children (issue 5 §7)."""
    centre = access_report_centre(request.user, pk, ReportAction.MANAGE)
    form = ImportUploadForm(request.POST or None, request.FILES or None, initial={"date": _today()})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        record = spreadsheet.import_create(
            centre=centre,
            day=form.cleaned_data["date"],
            filename=upload.name,
            content=upload.read(),
            user=request.user,
        )
        return redirect("reports:import_preview", pk=record.pk)
    return render(request, "reports/import_upload.html", {"centre": centre, "form": form, "today": _today()})


@require_GET
@login_required
def import_template(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_report_centre(request.user, pk, ReportAction.MANAGE)
    pick = DayPickForm(request.GET or None)
    day = pick.cleaned_data["date"] if pick.is_valid() else _today()
    response = HttpResponse(
        spreadsheet.template_xlsx(centre=centre, day=day),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="mau-so-lieu-{centre.short_code}-{day:%Y%m%d}.xlsx"'
    )
    return response


@require_http_methods(["GET", "POST"])
@login_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.import_get(user=request.user, pk=pk)
    require_report(request.user, record.centre, ReportAction.MANAGE)
    apply_error = ""
    if request.method == "POST":
        try:
            n = spreadsheet.import_apply(record=record, user=request.user)
        except ValidationError as exc:
            apply_error = " ".join(exc.messages)
        else:
            messages.success(request, _("Đã nhập báo cáo của %(n)d đơn vị.") % {"n": n})
            return redirect("reports:day", pk=record.centre_id, day=record.date)
    indicators, rows = spreadsheet.preview_table(record)
    context = {
        "record": record,
        "centre": record.centre,
        "indicators": indicators,
        "rows": rows,
        "general_errors": [
            e for e in record.errors if e["row"] is None or e["row"] < spreadsheet.FIRST_DATA_ROW
        ],
        "row_errors": [
            e for e in record.errors if e["row"] is not None and e["row"] >= spreadsheet.FIRST_DATA_ROW
        ],
        "can_apply": record.status == ImportStatus.PREVIEW,
        "applied": record.status == ImportStatus.APPLIED,
        "apply_error": apply_error,
    }
    return render(request, "reports/import_preview.html", context)
