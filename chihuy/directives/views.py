"""Task pages: the centre's board, "my tasks", a task with its assignments and history.
Thin views over the services, selectors and the permission layer (issue 6 §7)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chihuy.core.files import serve_file
from chihuy.core.forms import add_service_errors
from chihuy.directives import selectors, services
from chihuy.directives.access import TaskAction, can_assign, can_update, require_assign
from chihuy.directives.choices import CLOSED_STATUSES, AssigneeKind, Priority, SourceKind, TaskStatus
from chihuy.directives.forms import AssigneeForm, AssignmentUpdateForm, TaskEditForm, TaskForm
from chihuy.directives.models import Task

SCOPES = [("", _("Tất cả")), ("given", _("Đã giao đi")), ("received", _("Được cấp trên giao"))]


def _centre(request: HttpRequest) -> Any:
    centre = request.centre  # type: ignore[attr-defined]
    if centre is None:
        raise Http404(_("Bạn chưa có vai trò tại trung tâm nào."))
    return centre


@require_GET
@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The centre's task board: columns by status, filters, per-commune progress (R12)."""
    centre = _centre(request)
    filters = {
        "scope": request.GET.get("scope", "") if request.GET.get("scope") in ("given", "received") else "",
        "status": request.GET.get("status", "") if request.GET.get("status") in TaskStatus.values else "",
        "priority": request.GET.get("priority", "") if request.GET.get("priority") in Priority.values else "",
        "q": request.GET.get("q", "")[:100],
    }
    context = {
        "centre": centre,
        "board": selectors.task_board(user=request.user, centre=centre, **filters),
        "filters": filters,
        "scopes": SCOPES,
        "statuses": [(s.value, s.label) for s in TaskStatus if s != TaskStatus.ESCALATED],
        "priorities": Priority.choices,
        "can_assign": can_assign(request.user, centre),
    }
    template = "directives/board.html#board" if request.htmx else "directives/board.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_GET
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """ "My tasks": what is assigned to me, my agency, or a centre where I hold a role."""
    include_closed = request.GET.get("closed") == "1"
    rows = list(selectors.my_assignments(user=request.user, include_closed=include_closed)[:200])
    return render(request, "directives/mine.html", {"rows": rows, "include_closed": include_closed})


def _source_from_query(request: HttpRequest, centre: Any) -> tuple[str, Any]:
    """``?source=intake:<pk>``: a task created from an intake record the user can see."""
    raw = request.GET.get("source") or request.POST.get("source") or ""
    kind, _sep, pk = raw.partition(":")
    if kind != "intake" or not pk.isdigit():
        return "", None
    from chihuy.intake.selectors import intake_get

    record = intake_get(user=request.user, pk=int(pk))
    if not record.centre.path.startswith(centre.path):
        raise Http404(_("Thông tin tiếp nhận không thuộc trung tâm đang làm việc."))
    return raw, record


@require_http_methods(["GET", "POST"])
@login_required
def create(request: HttpRequest) -> HttpResponse:
    centre = _centre(request)
    require_assign(request.user, centre)
    source_raw, source_object = _source_from_query(request, centre)
    initial: dict[str, Any] = {}
    if source_object is not None:
        initial = {
            "title": _("Xử lý thông tin %(n)s") % {"n": source_object.number},
            "description": source_object.content,
            "source_kind": SourceKind.INTAKE,
        }
    form = TaskForm(request.POST or None, request.FILES or None, centre=centre, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if source_object is not None:
            fields["source_kind"] = SourceKind.INTAKE
        try:
            task = services.task_create(
                actor=request.user, centre=centre, source_object=source_object, **fields
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã giao nhiệm vụ: %(t)s.") % {"t": task.title})
            return redirect("directives:detail", pk=task.pk)
    return render(
        request,
        "directives/task_form.html",
        {"centre": centre, "form": form, "task": None, "source": source_object, "source_raw": source_raw},
    )


@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk)
    user = request.user
    assignments = task.shown_assignments  # type: ignore[attr-defined]
    forms_by_assignment = {
        a.pk: AssignmentUpdateForm(assignment=a)
        for a in assignments
        if a.status not in CLOSED_STATUSES and can_update(user, a)
    }
    manage = can_assign(user, task.centre)
    context = {
        "task": task,
        "rows": [(a, forms_by_assignment.get(a.pk)) for a in assignments],
        "history": selectors.task_history(user=user, task=task),
        "can_edit": manage and task.status not in CLOSED_STATUSES,
        "assign_form": AssigneeForm(centre=task.centre)
        if manage and task.assignee_kind == AssigneeKind.NONE
        else None,
        "source_url": _source_url(user, task),
        "done_count": sum(1 for a in assignments if a.status == TaskStatus.DONE),
    }
    return render(request, "directives/task_detail.html", context)


@require_GET
@login_required
def document_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The directive's document, to whoever may see the task (issue 12 §6); 404 otherwise."""
    task = selectors.task_get(user=request.user, pk=pk)
    return serve_file(task.document_file, filename=task.document_label)


@require_GET
@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    """A file posted with an update, to whoever may read that update on the task."""
    task = selectors.task_get(user=request.user, pk=pk)
    attachment = selectors.task_attachment(user=request.user, task=task, pk=attachment_pk)
    return serve_file(attachment.file, filename=str(attachment))


def _source_url(user: Any, task: Task) -> str:
    """A link to the source when the reader may open it."""
    from django.urls import reverse

    if task.source_object_id is None:
        return ""
    if task.source_kind == SourceKind.INTAKE:
        from chihuy.intake.models import IntakeRecord

        if IntakeRecord.objects.visible_to(user).filter(pk=task.source_object_id).exists():
            return reverse("intake:detail", args=[task.source_object_id])
    if (
        task.source_kind == SourceKind.ESCALATED
        and Task.objects.visible_to(user).filter(pk=task.source_object_id).exists()
    ):
        return reverse("directives:detail", args=[task.source_object_id])
    return ""


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk, action=TaskAction.ASSIGN)
    form = TaskEditForm(request.POST or None, initial=TaskEditForm.initial_from(task))
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(actor=request.user, task=task, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi của nhiệm vụ."))
            return redirect("directives:detail", pk=task.pk)
    return render(request, "directives/task_form.html", {"centre": task.centre, "form": form, "task": task})


def _flash_errors(request: HttpRequest, errors: Any) -> None:
    for msgs in errors.values():
        for msg in msgs:
            messages.error(request, msg)


@require_POST
@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk, action=TaskAction.ASSIGN)
    form = AssigneeForm(request.POST, centre=task.centre)
    if not form.is_valid():
        _flash_errors(request, form.errors)
    else:
        try:
            services.task_assign(actor=request.user, task=task, **form.assignee_kwargs())
        except ValidationError as exc:
            _flash_errors(request, exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages})
        else:
            messages.success(request, _("Đã giao nhiệm vụ."))
    return redirect("directives:detail", pk=task.pk)


@require_POST
@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The assignee's update: accept, progress with files, done, cannot (reason), escalate (R10)."""
    assignment = selectors.assignment_get(user=request.user, pk=pk, action=TaskAction.UPDATE)
    form = AssignmentUpdateForm(request.POST, request.FILES, assignment=assignment)
    if not form.is_valid():
        _flash_errors(request, form.errors)
    else:
        data = form.cleaned_data
        try:
            services.assignment_update(
                actor=request.user,
                assignment=assignment,
                kind=data["kind"],
                note=data.get("note", ""),
                progress=data.get("progress") if data["kind"] == "progress" else None,
                attachments=data.get("attachments") or [],
            )
        except ValidationError as exc:
            _flash_errors(request, exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages})
        else:
            assignment.refresh_from_db()
            messages.success(
                request,
                _("Đã cập nhật: %(s)s (%(p)d%%).")
                % {"s": assignment.get_status_display(), "p": assignment.progress},
            )
    nxt = request.POST.get("next", "")
    if nxt == "mine":
        return redirect("directives:mine")
    return redirect("directives:detail", pk=assignment.task_id)
