"""Logbook pages: thin views over the intake services, selectors and the permission layer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chihuy.centres.access import Action, access_centre, can
from chihuy.core.files import serve_file
from chihuy.core.forms import add_service_errors, run_form_action
from chihuy.directives.access import can_assign
from chihuy.intake import exports, selectors, services
from chihuy.intake.access import IntakeAction, can_intake, desk_centre, require_intake
from chihuy.intake.forms import (
    AssignForm,
    EscalateForm,
    ForwardForm,
    IntakeFilterForm,
    IntakeForm,
    NoteForm,
    ProcedureForm,
    RoutingRulesForm,
    StatusForm,
    centre_structure,
)
from chihuy.intake.models import RoutingRule
from chihuy.jurisdictions.models import Jurisdiction

PAGE_SIZE = 50


def _centre(request: HttpRequest) -> Any:
    return desk_centre(request.user, request.centre)  # type: ignore[attr-defined]


def _filters(request: HttpRequest, centre: Any) -> IntakeFilterForm:
    data = request.GET.copy()
    # Today's page unless the dates were given (an empty date means "from the beginning").
    if "date_from" not in data and "date_to" not in data:
        today = timezone.localdate().strftime("%d/%m/%Y")
        data.setdefault("date_from", today)
        data.setdefault("date_to", today)
    return IntakeFilterForm(data, centre=centre)


def _filtered(request: HttpRequest, centre: Any) -> tuple[IntakeFilterForm, Any]:
    form = _filters(request, centre)
    kwargs = form.selector_kwargs() if form.is_valid() else {}
    return form, selectors.intake_list(user=request.user, centre=centre, **kwargs)


@require_GET
@login_required
def intake_list(request: HttpRequest) -> HttpResponse:
    """The logbook (sổ theo dõi): today by default; filters, search, pages (issue 3 §7)."""
    centre = _centre(request)
    form, records = _filtered(request, centre)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    export_query = form.data.copy() if isinstance(form.data, QueryDict) else QueryDict(mutable=True)
    export_query.pop("page", None)
    context = {
        "centre": centre,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "export_query": export_query.urlencode(),
        "can_log": can_intake(request.user, centre, IntakeAction.LOG),
        "open_count": selectors.intake_open_count(centre=centre),
    }
    template = "intake/intake_list.html#results" if request.htmx else "intake/intake_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@login_required
def intake_create(request: HttpRequest) -> HttpResponse:
    """The fast entry form (issue 3 §2): keyboard only, duplicate warning, routing advice."""
    centre = _centre(request)
    require_intake(request.user, centre, IntakeAction.LOG)
    if request.method == "GET" and selectors.procedure_must_show(user=request.user, centre=centre):
        # R22: the first time (and after each change) the officer reads the procedure first.
        url = reverse("intake:procedure", kwargs={"centre_id": centre.pk})
        return redirect(f"{url}?next={request.get_full_path()}")
    form = IntakeForm(request.POST or None, request.FILES or None, structure=centre_structure(centre))
    if request.method == "POST" and form.is_valid():
        try:
            record = services.intake_create(
                centre=centre,
                received_by=request.user,
                attachments=form.cleaned_data.get("attachments") or [],
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi sổ: %(number)s.") % {"number": record.number})
            advice = selectors.intake_route(
                centre=centre, jurisdiction=record.jurisdiction, category=record.category
            )
            if advice is not None:
                return redirect("intake:detail", pk=record.pk)
            return redirect("intake:list")
    return render(request, "intake/intake_form.html", {"centre": centre, "form": form, "record": None})


@require_GET
@login_required
def intake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.intake_get(user=request.user, pk=pk)
    user = request.user
    can_log = can_intake(user, record.centre, IntakeAction.LOG)
    open_ = record.status not in ("forwarded", "escalated", "closed")
    advice = selectors.intake_route(
        centre=record.centre, jurisdiction=record.jurisdiction, category=record.category
    )
    forward_form = ForwardForm(record=record, initial={"to_centre": advice.centre.pk if advice else None})
    context = {
        "record": record,
        "history": selectors.intake_history(record=record),
        "attachments": record.attachments.all(),
        "forwards": record.forwards.select_related("centre"),
        "advice": advice,
        "can_log": can_log and open_ and record.status != "closed",
        "can_edit": can_log and record.status not in ("forwarded", "escalated"),
        "can_handle": can_intake(user, record.centre, IntakeAction.HANDLE, record)
        and record.status not in ("forwarded", "escalated"),
        "can_assign": can_intake(user, record.centre, IntakeAction.ASSIGN) and open_,
        "can_note": can_log,
        "status_form": StatusForm(record=record),
        "assign_form": AssignForm(
            record=record, initial={"member": record.handler_member_id, "agency": record.handler_agency_id}
        ),
        "forward_form": forward_form,
        "escalate_form": EscalateForm(),
        "note_form": NoteForm(),
        # A task is given by the active centre, about a record of its own area.
        "can_assign_task": request.centre is not None  # type: ignore[attr-defined]
        and can_assign(user, request.centre)  # type: ignore[attr-defined]
        and record.centre.path.startswith(request.centre.path),  # type: ignore[attr-defined]
    }
    return render(request, "intake/intake_detail.html", context)


@require_GET
@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    """A record's attachment, to whoever may see the record (issue 12 §6); 404 otherwise."""
    record = selectors.intake_get(user=request.user, pk=pk)
    attachment = selectors.intake_attachment(record=record, pk=attachment_pk)
    return serve_file(attachment.file, filename=str(attachment))


@require_http_methods(["GET", "POST"])
@login_required
def intake_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.intake_get(user=request.user, pk=pk, action=IntakeAction.LOG)
    form = IntakeForm(
        request.POST or None,
        initial=IntakeForm.initial_from(record),
        structure=centre_structure(record.centre),
        with_attachments=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.intake_update(record=record, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi của %(number)s.") % {"number": record.number})
            return redirect("intake:detail", pk=record.pk)
    return render(
        request, "intake/intake_form.html", {"centre": record.centre, "form": form, "record": record}
    )


@require_POST
@login_required
def intake_status(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.intake_get(user=request.user, pk=pk)
    require_intake(request.user, record.centre, IntakeAction.HANDLE, record)

    def act(data: dict[str, Any]) -> str:
        services.intake_set_status(record=record, **data)
        return _("Đã chuyển trạng thái: %(s)s.") % {"s": record.get_status_display()}

    run_form_action(request, StatusForm(request.POST, record=record), act)
    return redirect("intake:detail", pk=record.pk)


@require_POST
@login_required
def intake_assign(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.intake_get(user=request.user, pk=pk, action=IntakeAction.ASSIGN)

    def act(data: dict[str, Any]) -> str:
        services.intake_assign(record=record, **data)
        return _("Đã giao xử lý: %(who)s.") % {"who": record.handler_label}

    run_form_action(request, AssignForm(request.POST, record=record), act)
    return redirect("intake:detail", pk=record.pk)


@require_POST
@login_required
def intake_forward(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.intake_get(user=request.user, pk=pk, action=IntakeAction.LOG)

    def act(data: dict[str, Any]) -> str:
        copy = services.intake_forward(record=record, **data)
        return _("Đã chuyển cho %(centre)s (số %(number)s). Hãy báo người dân liên hệ: %(hotline)s.") % {
            "centre": copy.centre,
            "number": copy.number,
            "hotline": copy.centre.hotline or "—",
        }

    run_form_action(request, ForwardForm(request.POST, record=record), act)
    return redirect("intake:detail", pk=record.pk)


@require_POST
@login_required
def intake_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.intake_get(user=request.user, pk=pk, action=IntakeAction.LOG)

    def act(data: dict[str, Any]) -> str:
        copy = services.intake_escalate(record=record, reason=data["reason"])
        return _("Đã báo cáo %(centre)s.") % {"centre": copy.centre}

    run_form_action(request, EscalateForm(request.POST), act)
    return redirect("intake:detail", pk=record.pk)


@require_POST
@login_required
def intake_note(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.intake_get(user=request.user, pk=pk, action=IntakeAction.LOG)

    def act(data: dict[str, Any]) -> str:
        services.intake_note(record=record, note=data["note"])
        return _("Đã thêm ghi chú.")

    run_form_action(request, NoteForm(request.POST), act)
    return redirect("intake:detail", pk=record.pk)


@require_GET
@login_required
def check_duplicates(request: HttpRequest) -> HttpResponse:
    """HTMX: same phone, similar content in the last two hours at this centre."""
    centre = _centre(request)
    require_intake(request.user, centre, IntakeAction.LOG)
    exclude = request.GET.get("exclude")
    found = selectors.intake_duplicates(
        centre=centre,
        phone=request.GET.get("reporter_phone", ""),
        content=request.GET.get("content", ""),
        exclude_pk=int(exclude) if exclude and exclude.isdigit() else None,
    )
    return render(request, "intake/_duplicates.html", {"duplicates": found})


@require_GET
@login_required
def check_route(request: HttpRequest) -> HttpResponse:
    """HTMX: which centre should handle a report at this place and of this category (R16)."""
    centre = _centre(request)
    raw = request.GET.get("jurisdiction", "")
    jurisdiction = Jurisdiction.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    advice = selectors.intake_route(
        centre=centre, jurisdiction=jurisdiction, category=request.GET.get("category", "")
    )
    return render(request, "intake/_route.html", {"advice": advice})


@require_GET
@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    centre = _centre(request)
    form, records = _filtered(request, centre)
    data = form.cleaned_data if form.is_valid() else {}
    content = exports.logbook_xlsx(
        centre=centre,
        records=list(records[: exports.MAX_ROWS]),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(centre, data, "xlsx")}"'
    return response


@require_GET
@login_required
def export_pdf(request: HttpRequest) -> HttpResponse:
    centre = _centre(request)
    form, records = _filtered(request, centre)
    data = form.cleaned_data if form.is_valid() else {}
    content = exports.logbook_pdf(
        centre=centre,
        records=list(records[: exports.MAX_ROWS]),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(centre, data, "pdf")}"'
    return response


# --- the intake procedure (R22) ---------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False)
    return url if url and allowed else ""


@login_required
def procedure_detail(request: HttpRequest, centre_id: int) -> HttpResponse:
    """The procedure, for every member; with "I have read it" when it is due (R22)."""
    centre = access_centre(request.user, centre_id)
    context = {
        "centre": centre,
        "procedure": selectors.procedure_get(centre=centre),
        "can_edit": can(request.user, centre, Action.EDIT),
        "must_ack": selectors.procedure_must_show(user=request.user, centre=centre),
        "next": _next_url(request),
    }
    return render(request, "intake/procedure.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def procedure_edit(request: HttpRequest, centre_id: int) -> HttpResponse:
    """The standing unit, the commander and the deputies write the procedure (R22)."""
    centre = access_centre(request.user, centre_id, Action.EDIT)
    procedure = selectors.procedure_get(centre=centre)
    if request.method == "POST":
        form = ProcedureForm(request.POST)
        if form.is_valid():
            services.procedure_save(centre=centre, body=form.cleaned_data["body"], by=request.user)
            messages.success(request, _("Đã lưu quy trình tiếp nhận."))
            return redirect("intake:procedure", centre_id=centre.pk)
    else:
        form = ProcedureForm(initial={"body": procedure.body if procedure else ""})
    return render(request, "intake/procedure_form.html", {"centre": centre, "form": form})


@require_POST
@login_required
def procedure_acknowledge_view(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = access_centre(request.user, centre_id)
    services.procedure_acknowledge(user=request.user, centre=centre)
    return redirect(_next_url(request) or reverse("intake:procedure", kwargs={"centre_id": centre.pk}))


@require_http_methods(["GET", "POST"])
@login_required
def routing_rules(request: HttpRequest, centre_id: int) -> HttpResponse:
    """R16: the province sets at which level each category is handled; officers see the advice."""
    centre = access_centre(request.user, centre_id, Action.EDIT)
    if not RoutingRule.settable_by(centre):  # the page exists only where the rules can be set
        raise Http404(_("Chỉ trung tâm cấp tỉnh đặt quy tắc chuyển cấp xử lý."))
    current = {r.category: r for r in selectors.routing_rules(centre=centre)}
    form = RoutingRulesForm(request.POST or None, rules=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.routing_rules_save(centre=centre, rules=form.rules())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu quy tắc chuyển cấp xử lý."))
            return redirect("intake:routing", centre_id=centre.pk)
    return render(request, "intake/routing_rules.html", {"centre": centre, "form": form})
