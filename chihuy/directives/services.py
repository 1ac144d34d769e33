"""Writes for tasks and directives (issue 6 §7; R8, R10, R12, R24). Pages, the API and the
briefings app all call these, so each rule lives here once.

Every service validates (``full_clean`` and the rules below) and saves inside
``transaction.atomic``; nothing is half-saved. The Audited base records each change of a
task and an assignment; ``TaskUpdate`` rows are the history both sides read.
Notifications and reminder scheduling run after the commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.centres.choices import CentreStatus
from chihuy.centres.models import Agency, Centre, Member
from chihuy.core.actor import acting_as, current_actor
from chihuy.directives import notify
from chihuy.directives.access import require_assign, require_update
from chihuy.directives.choices import (
    ACTION_FROM,
    ACTION_RESULT,
    CLOSED_STATUSES,
    REMINDER_LEADS,
    AssigneeKind,
    Priority,
    SourceKind,
    TaskStatus,
    UpdateKind,
)
from chihuy.directives.models import Assignment, Task, TaskAttachment, TaskUpdate

# The kinds a caller may name; "escalated" is only ever set by ``assignment_update``.
CALLER_SOURCE_KINDS = frozenset(
    {SourceKind.BRIEFING, SourceKind.INTAKE, SourceKind.REPORT, SourceKind.DOCUMENT, SourceKind.OTHER}
)
# A clock a little behind the caller's must not turn "now" into "in the past".
_PAST_TOLERANCE = dt.timedelta(minutes=2)
UPDATE_FIELDS = frozenset(
    {"title", "description", "deadline", "priority", "document_number", "document_file"}
)


def _fmt(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%H:%M %d/%m/%Y")


def as_deadline(value: Any) -> dt.datetime:
    """An aware datetime; a date means the end of that day, local time (23:59)."""
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, dt.date):
        return timezone.make_aware(dt.datetime.combine(value, dt.time(23, 59)))
    raise ValidationError({"deadline": _("Nhập hạn hoàn thành (ngày, giờ).")})


def _actor(actor: Any) -> Any:
    actor = actor if actor is not None else current_actor()
    return actor if getattr(actor, "is_authenticated", False) else None


def _in_centre_tree(obj: Any, centre: Centre) -> bool:
    """Whether a source record belongs to ``centre`` or a centre below it."""
    owner = getattr(obj, "centre", None)
    if owner is None:
        return True
    return bool(owner.path.startswith(centre.path))


def _assignees(
    *,
    centre: Centre,
    assignee_member: Member | None,
    assignee_agency: Agency | None,
    assignee_centres: Iterable[Centre],
) -> tuple[str, list[dict[str, Any]]]:
    """Check the one kind of assignee and return it with the assignment rows to create."""
    centres = list(dict.fromkeys(assignee_centres))
    given = [k for k, v in (("m", assignee_member), ("a", assignee_agency), ("c", centres)) if v]
    if len(given) != 1:
        raise ValidationError(
            {
                "assignee": _(
                    "Chọn đúng một loại người nhận: một thành viên, một cơ quan, "
                    "hoặc một hay nhiều trung tâm cấp dưới."
                )
            }
        )
    if assignee_member is not None:
        if assignee_member.centre_id != centre.pk or not assignee_member.is_active:
            raise ValidationError(
                {"assignee_member": _("Thành viên được giao không thuộc %(c)s.") % {"c": centre}}
            )
        return AssigneeKind.MEMBER, [{"assignee_member": assignee_member}]
    if assignee_agency is not None:
        if assignee_agency.centre_id != centre.pk:
            raise ValidationError(
                {"assignee_agency": _("Cơ quan được giao không thuộc %(c)s.") % {"c": centre}}
            )
        return AssigneeKind.AGENCY, [{"assignee_agency": assignee_agency}]
    errors = []
    for child in centres:
        if child.parent_id != centre.pk:
            errors.append(
                _("%(child)s không phải trung tâm cấp dưới trực tiếp của %(c)s; chỉ giao được cho cấp dưới.")
                % {"child": child, "c": centre}
            )
        elif child.status == CentreStatus.DISSOLVED:
            errors.append(_("%(child)s đã giải thể, không nhận nhiệm vụ.") % {"child": child})
    if errors:
        raise ValidationError({"assignee_centres": errors})
    return AssigneeKind.CENTRES, [{"assignee_centre": c} for c in centres]


def _check_deadline(deadline: dt.datetime, assigned_at: dt.datetime) -> None:
    if deadline < assigned_at - _PAST_TOLERANCE:
        raise ValidationError(
            {
                "deadline": _(
                    "Hạn hoàn thành (%(deadline)s) không được trước thời điểm giao nhiệm vụ (%(assigned)s)."
                )
                % {"deadline": _fmt(deadline), "assigned": _fmt(assigned_at)}
            }
        )


def _create_assignments(*, task: Task, rows: list[dict[str, Any]]) -> list[Assignment]:
    created = []
    for row in rows:
        assignment = Assignment(task=task, **row)
        assignment.full_clean()
        assignment.save()
        created.append(assignment)
    return created


def _after_assign(task: Task, assignments: list[Assignment]) -> None:
    """Tell each assignee and book the reminders, once the task is safely stored."""
    ids = [a.pk for a in assignments]

    def _run() -> None:
        from chihuy.directives.tasks import schedule_reminders

        for a in Assignment.objects.filter(pk__in=ids).select_related(
            "task__centre", "assignee_member__user", "assignee_agency", "assignee_centre"
        ):
            notify.send(
                users=notify.assignee_users(a),
                subject=notify.subject(task.centre, _("Nhiệm vụ mới: %(t)s") % {"t": task.title}),
                body=_("%(c)s giao: %(t)s. Hạn hoàn thành: %(d)s. Mức ưu tiên: %(p)s.")
                % {
                    "c": task.centre,
                    "t": task.title,
                    "d": _fmt(task.deadline),
                    "p": Priority(task.priority).label,
                },
                task=task,
                centre=a.holder_centre,
            )
            schedule_reminders(assignment=a)

    _run()  # in the transaction: the notices and reminder rows commit with the change (issue 12)


def task_create(
    *,
    actor: Any,
    centre: Centre,
    title: str,
    description: str = "",
    source_kind: str = "briefing",
    source_object: Any = None,
    assignee_member: Member | None = None,
    assignee_agency: Agency | None = None,
    assignee_centres: Iterable[Centre] = (),
    deadline: dt.datetime | dt.date,
    priority: str = "normal",
    document_number: str = "",
    document_file: Any = None,
) -> Task:
    """Give a task (R8, R10, R12, R24): to one member or agency of ``centre``, or to one or
    many of its child centres, each of which gets its own tracked assignment.

    ``deadline`` is an aware datetime, or a date meaning the end of that day (local time);
    it may not be before the moment of assignment. ``actor`` must be the centre's
    commander, deputy or standing unit (``None`` only for system callers).
    """
    if actor is not None:
        require_assign(actor, centre)
    if centre.status == CentreStatus.DISSOLVED:
        raise ValidationError(_("%(c)s đã giải thể, không giao nhiệm vụ được.") % {"c": centre})
    if source_kind not in CALLER_SOURCE_KINDS:
        raise ValidationError({"source_kind": _("Nguồn nhiệm vụ không hợp lệ.")})
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Mức ưu tiên không hợp lệ.")})
    now = timezone.now()
    due = as_deadline(deadline)
    _check_deadline(due, now)
    kind, rows = _assignees(
        centre=centre,
        assignee_member=assignee_member,
        assignee_agency=assignee_agency,
        assignee_centres=assignee_centres,
    )
    document_number = (document_number or "").strip()
    if source_kind == SourceKind.DOCUMENT and not document_number and not document_file:
        raise ValidationError({"document_number": _("Nhập số văn bản chỉ đạo hoặc đính kèm tệp văn bản.")})
    if source_object is not None and not _in_centre_tree(source_object, centre):
        raise ValidationError(
            {"source": _("Nguồn được chọn không thuộc %(c)s hoặc cấp dưới.") % {"c": centre}}
        )
    task = Task(
        centre=centre,
        title=(title or "").strip(),
        description=(description or "").strip(),
        source_kind=source_kind,
        document_number=document_number,
        assignee_kind=kind,
        deadline=due,
        priority=priority,
        created_by=_actor(actor),
        created_at=now,
    )
    if document_file:
        task.document_file = document_file
    if source_object is not None:
        task.source_content_type = ContentType.objects.get_for_model(source_object)
        task.source_object_id = source_object.pk
    with transaction.atomic(), acting_as(_actor(actor) or current_actor()):
        if not task.title:
            raise ValidationError({"title": _("Nhập tiêu đề nhiệm vụ.")})
        task.full_clean()
        task.save()
        assignments = _create_assignments(task=task, rows=rows)
        _after_assign(task, assignments)
    return task


def task_assign(
    *,
    actor: Any,
    task: Task,
    assignee_member: Member | None = None,
    assignee_agency: Agency | None = None,
    assignee_centres: Iterable[Centre] = (),
) -> Task:
    """Assign a task that came up from below and waits for its assignee (R10)."""
    if actor is not None:
        require_assign(actor, task.centre)
    if task.assignee_kind != AssigneeKind.NONE:
        raise ValidationError(_("Nhiệm vụ này đã được giao."))
    kind, rows = _assignees(
        centre=task.centre,
        assignee_member=assignee_member,
        assignee_agency=assignee_agency,
        assignee_centres=assignee_centres,
    )
    with transaction.atomic(), acting_as(_actor(actor) or current_actor()):
        task = Task.objects.select_for_update().get(pk=task.pk)
        task.assignee_kind = kind
        task.full_clean()
        task.save()
        assignments = _create_assignments(task=task, rows=rows)
        _refresh(task)
        _after_assign(task, assignments)
    return task


def task_update(*, actor: Any, task: Task, **fields: Any) -> Task:
    """Change what was asked (title, description, deadline, priority, document) (R10).

    A new deadline may not be before the assignment nor already past; it clears the
    reminders already sent and books new ones.
    """
    unknown = set(fields) - UPDATE_FIELDS
    if unknown:
        raise TypeError(f"Unknown task fields: {', '.join(sorted(unknown))}")
    if actor is not None:
        require_assign(actor, task.centre)
    if task.status in CLOSED_STATUSES:
        raise ValidationError(_("Nhiệm vụ đã kết thúc, không sửa được nữa."))
    changes = []
    with transaction.atomic(), acting_as(_actor(actor) or current_actor()):
        task = Task.objects.select_for_update().select_related("centre").get(pk=task.pk)
        new_deadline = None
        if "deadline" in fields:
            new_deadline = as_deadline(fields.pop("deadline"))
            _check_deadline(new_deadline, task.created_at)
            if new_deadline != task.deadline:
                if new_deadline < timezone.now():
                    raise ValidationError(
                        {"deadline": _("Hạn hoàn thành mới đã qua; chọn một thời điểm sau bây giờ.")}
                    )
                changes.append(_("hạn %(a)s → %(b)s") % {"a": _fmt(task.deadline), "b": _fmt(new_deadline)})
                task.deadline = new_deadline
        for name, value in fields.items():
            if name == "document_file" and not value:
                continue
            value = value.strip() if isinstance(value, str) else value
            if getattr(task, name) != value:
                changes.append(str(getattr(Task._meta.get_field(name), "verbose_name", name)))
                setattr(task, name, value)
        if not task.title:
            raise ValidationError({"title": _("Nhập tiêu đề nhiệm vụ.")})
        task.full_clean()
        task.save()
        if not changes:
            return task
        reset: list[Assignment] = []
        if new_deadline is not None and new_deadline == task.deadline:
            for a in task.assignments.select_for_update().exclude(status__in=CLOSED_STATUSES):
                a.reminded_24h_at = a.reminded_2h_at = a.overdue_notified_at = None
                if a.status == TaskStatus.OVERDUE:
                    a.status = TaskStatus.IN_PROGRESS if a.accepted_at else TaskStatus.ASSIGNED
                a.save()
                reset.append(a)
            _refresh(task)
        TaskUpdate.objects.create(
            task=task,
            kind=UpdateKind.CHANGED,
            note="; ".join(changes),
            author=_actor(actor),
            at=timezone.now(),
        )
        if reset:
            ids = [a.pk for a in reset]

            def _reschedule() -> None:
                from chihuy.directives.tasks import schedule_reminders

                for a in Assignment.objects.filter(pk__in=ids).select_related("task"):
                    schedule_reminders(assignment=a)

            _reschedule()  # reminder rows commit with the change (issue 12)
    return task


def _refresh(task: Task) -> None:
    """Roll the assignments up into the task's own status and progress.

    All finished → done (cannot when none was done); otherwise overdue if one is
    late, in progress once any has started, accepted once all have.
    """
    rows = list(task.assignments.values_list("status", "progress"))
    now = timezone.now()
    if not rows:
        status, progress = TaskStatus.ASSIGNED, 0
    else:
        statuses = [s for s, _p in rows]
        progress = round(sum(100 if s == TaskStatus.DONE else p for s, p in rows) / len(rows))
        open_ = [s for s in statuses if s not in CLOSED_STATUSES]
        if not open_:
            status = (
                TaskStatus.DONE
                if TaskStatus.DONE in statuses
                else (TaskStatus.ESCALATED if set(statuses) == {TaskStatus.ESCALATED} else TaskStatus.CANNOT)
            )
        elif TaskStatus.OVERDUE in open_ or task.deadline < now:
            status = TaskStatus.OVERDUE
        elif len(open_) < len(statuses) or TaskStatus.IN_PROGRESS in open_:
            status = TaskStatus.IN_PROGRESS
        elif all(s == TaskStatus.ACCEPTED for s in open_):
            status = TaskStatus.ACCEPTED
        elif TaskStatus.ACCEPTED in open_:
            status = TaskStatus.IN_PROGRESS
        else:
            status = TaskStatus.ASSIGNED
    if (task.status, task.progress) != (status, progress):
        task.status, task.progress = status, progress
        task.save(update_fields=["status", "progress", "updated_at"])


def _check_attachments(files: Iterable[Any]) -> None:
    """Every file is checked before anything is written, so a refused one leaves nothing stored."""
    for upload in files:
        try:
            TaskAttachment(file=upload).clean_fields(exclude=["update", "name"])
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from exc


def _add_attachments(*, update: TaskUpdate, files: Iterable[Any]) -> None:
    for upload in files:
        # Stored under a random name; ``name`` keeps the one it was sent with.
        TaskAttachment.objects.create(update=update, file=upload)


def assignment_update(
    *,
    actor: Any,
    assignment: Assignment,
    kind: str,
    note: str = "",
    progress: int | None = None,
    attachments: Iterable[Any] = (),
) -> TaskUpdate:
    """The assignee reports: accepts, posts progress (with files), reports it done, cannot
    do it (reason required), or escalates it as beyond his authority (R10).

    Escalating hands the work to the parent of the centre that holds it as a new task
    waiting to be assigned there; both keep the history. Only the assignee's own people
    may report on an assignment: another commune's is refused.
    """
    if kind not in ACTION_RESULT:
        raise ValidationError({"kind": _("Thao tác không hợp lệ.")})
    if actor is not None:
        require_update(actor, assignment)
    note = (note or "").strip()
    with transaction.atomic(), acting_as(_actor(actor) or current_actor()):
        # Lock the task, then the row alone (PostgreSQL refuses FOR UPDATE across the nullable
        # joins): two communes reporting at once then roll the task up one after the other.
        Task.objects.select_for_update().filter(pk=assignment.task_id).values_list("pk", flat=True).get()
        Assignment.objects.select_for_update().filter(pk=assignment.pk).values_list("pk", flat=True).get()
        assignment = Assignment.objects.select_related(
            "task__centre__parent", "assignee_centre__parent", "assignee_member__user"
        ).get(pk=assignment.pk)
        task = assignment.task
        if assignment.status not in ACTION_FROM[kind]:
            if assignment.status in CLOSED_STATUSES:
                msg = _("Phần việc này đã kết thúc (%(s)s), không cập nhật được nữa.")
            else:
                msg = _("Phần việc này đang ở trạng thái “%(s)s”, không thể thực hiện thao tác này.")
            raise ValidationError({"kind": msg % {"s": assignment.get_status_display()}})
        if progress is not None and not 0 <= progress <= 100:
            raise ValidationError({"progress": _("Tiến độ là một số từ 0 đến 100 (%).")})
        if kind == UpdateKind.CANNOT and not note:
            raise ValidationError({"note": _("Ghi rõ lý do không thực hiện được nhiệm vụ.")})
        if kind == UpdateKind.ESCALATE:
            if not note:
                raise ValidationError({"note": _("Ghi rõ vì sao việc này vượt thẩm quyền.")})
            if assignment.holder_centre.parent_id is None:
                raise ValidationError(
                    {
                        "kind": _("%(c)s không có trung tâm cấp trên để báo cáo.")
                        % {"c": assignment.holder_centre}
                    }
                )
        attachments = list(attachments)
        if kind == UpdateKind.PROGRESS and progress is None and not note and not attachments:
            raise ValidationError({"note": _("Ghi nội dung tiến độ, tỷ lệ hoàn thành hoặc đính kèm tệp.")})
        _check_attachments(attachments)

        now = timezone.now()
        status = ACTION_RESULT[kind]
        if kind == UpdateKind.PROGRESS and assignment.status == TaskStatus.ASSIGNED:
            assignment.accepted_at = now
        if kind == UpdateKind.ACCEPT:
            assignment.accepted_at = now
        if progress is not None:
            assignment.progress = progress
        if kind == UpdateKind.DONE:
            assignment.progress = 100
        if kind in (UpdateKind.CANNOT, UpdateKind.ESCALATE):
            assignment.reason = note
        if status in CLOSED_STATUSES:
            assignment.closed_at = now
        assignment.status = status
        assignment.full_clean()
        assignment.save()
        update = TaskUpdate(
            task=task,
            assignment=assignment,
            kind=kind,
            note=note,
            progress=assignment.progress if kind in (UpdateKind.PROGRESS, UpdateKind.DONE) else None,
            author=_actor(actor),
            at=now,
        )
        update.full_clean()
        update.save()
        _add_attachments(update=update, files=attachments)
        parent_task = (
            _escalate(assignment=assignment, reason=note, actor=actor)
            if kind == UpdateKind.ESCALATE
            else None
        )
        _refresh(task)
        _tell_assigner(assignment=assignment, kind=kind, note=note, parent_task=parent_task)
    return update


def _escalate(*, assignment: Assignment, reason: str, actor: Any) -> Task:
    """R10: the work goes up to the parent centre as a new task waiting to be assigned there."""
    holder = assignment.holder_centre
    parent = holder.parent
    task = assignment.task
    escalated = Task(
        centre=parent,
        title=task.title,
        description=_("%(desc)s\n\n%(holder)s báo cáo vượt thẩm quyền: %(reason)s")
        % {"desc": task.description, "holder": holder, "reason": reason},
        source_kind=SourceKind.ESCALATED,
        source_content_type=ContentType.objects.get_for_model(Task),
        source_object_id=task.pk,
        document_number=task.document_number,
        assignee_kind=AssigneeKind.NONE,
        deadline=task.deadline,
        priority=task.priority,
        escalated_from=assignment,
        created_by=_actor(actor),
        created_at=timezone.now(),
    )
    escalated.full_clean()
    escalated.save()
    TaskUpdate.objects.create(
        task=escalated,
        kind=UpdateKind.ESCALATE,
        note=_("Từ %(c)s: %(r)s") % {"c": holder, "r": reason},
        author=_actor(actor),
        at=escalated.created_at,
    )
    return escalated


def _tell_assigner(*, assignment: Assignment, kind: str, note: str, parent_task: Task | None) -> None:
    if kind not in (UpdateKind.DONE, UpdateKind.CANNOT, UpdateKind.ESCALATE):
        return
    task = assignment.task
    label = UpdateKind(kind).label
    body = _("%(who)s: %(what)s – %(t)s.") % {
        "who": assignment.assignee_label,
        "what": label,
        "t": task.title,
    }
    if note:
        body += "\n" + _("Lý do/ghi chú: %(n)s") % {"n": note}

    def _run() -> None:
        notify.send(
            users=notify.assigner_users(task),
            subject=notify.subject(task.centre, _("%(what)s: %(t)s") % {"what": label, "t": task.title}),
            body=body,
            task=task,
            centre=task.centre,
        )
        if parent_task is not None:
            notify.send(
                users=notify.staff_users(parent_task.centre),
                subject=notify.subject(
                    parent_task.centre, _("Cấp dưới báo cáo vượt thẩm quyền: %(t)s") % {"t": task.title}
                ),
                body=body,
                task=parent_task,
                centre=parent_task.centre,
            )

    _run()  # in the transaction: the notices and reminder rows commit with the change (issue 12)


def assignment_remind(*, assignment_id: int, lead: str) -> bool:
    """Send the ``lead`` reminder ("24h", "2h") before the deadline, once (idempotent).

    Does nothing when it is not yet time (the deadline moved later), when the deadline
    has passed, or when the assignment is finished.
    """
    minutes = REMINDER_LEADS[lead]
    field = f"reminded_{lead}_at"
    a = (
        Assignment.objects.select_related(
            "task__centre", "assignee_centre", "assignee_member__user", "task__created_by"
        )
        .filter(pk=assignment_id)
        .first()
    )
    if a is None or a.status in CLOSED_STATUSES:
        return False
    now = timezone.now()
    deadline = a.task.deadline
    start = deadline - dt.timedelta(minutes=minutes)
    # A task given with less time than the lead gets no such reminder: it was just told.
    if not start <= now < deadline or a.task.created_at > start:
        return False
    with transaction.atomic():
        # The conditional update is the idempotency key: a second run finds it set.
        if not Assignment.objects.filter(pk=a.pk, **{f"{field}__isnull": True}).update(**{field: now}):
            return False
        task = a.task
        left = deadline - now
        hours = max(1, round(left.total_seconds() / 3600))
        TaskUpdate.objects.create(
            task=task,
            assignment=a,
            kind=UpdateKind.REMINDER,
            note=_("Còn khoảng %(h)d giờ đến hạn (%(d)s).") % {"h": hours, "d": _fmt(deadline)},
            at=now,
        )
        notify.send(
            users=notify.assignee_users(a),
            subject=notify.subject(task.centre, _("Sắp đến hạn: %(t)s") % {"t": task.title}),
            body=_("Nhiệm vụ “%(t)s” đến hạn lúc %(d)s (còn khoảng %(h)d giờ). Tiến độ hiện tại: %(p)d%%.")
            % {"t": task.title, "d": _fmt(deadline), "h": hours, "p": a.progress},
            task=task,
            centre=a.holder_centre,
        )
    return True


def assignment_overdue(*, assignment_id: int) -> bool:
    """At the deadline: mark an unfinished assignment overdue and tell the assigner, once."""
    a = (
        Assignment.objects.select_related(
            "task__centre", "assignee_centre", "assignee_member__user", "task__created_by"
        )
        .filter(pk=assignment_id)
        .first()
    )
    now = timezone.now()
    if a is None or a.status in CLOSED_STATUSES or a.task.deadline > now:
        return False
    with transaction.atomic():
        if not Assignment.objects.filter(pk=a.pk, overdue_notified_at__isnull=True).update(
            overdue_notified_at=now, status=TaskStatus.OVERDUE
        ):
            return False
        task = a.task
        TaskUpdate.objects.create(
            task=task,
            assignment=a,
            kind=UpdateKind.OVERDUE,
            note=_("Quá hạn %(d)s, tiến độ %(p)d%%.") % {"d": _fmt(task.deadline), "p": a.progress},
            at=now,
        )
        _refresh(task)
        notify.send(
            users=notify.assigner_users(task),
            subject=notify.subject(task.centre, _("Quá hạn: %(t)s") % {"t": task.title}),
            body=_("%(who)s chưa hoàn thành nhiệm vụ “%(t)s” (hạn %(d)s, tiến độ %(p)d%%).")
            % {"who": a.assignee_label, "t": task.title, "d": _fmt(task.deadline), "p": a.progress},
            task=task,
            centre=task.centre,
        )
    return True


def directives_send_due(*, now: dt.datetime | None = None) -> int:
    """Catch-up sweep: every reminder and overdue notice that is due and not yet sent.

    The deferred tasks normally send them on time; this covers a worker that was down
    or a backend that cannot defer. Safe to run any number of times.
    """
    now = now or timezone.now()
    sent = 0
    open_ = Assignment.objects.exclude(status__in=CLOSED_STATUSES)
    for pk in open_.filter(task__deadline__lte=now, overdue_notified_at__isnull=True).values_list(
        "pk", flat=True
    ):
        sent += assignment_overdue(assignment_id=pk)
    for lead, minutes in REMINDER_LEADS.items():
        window = open_.filter(
            task__deadline__gt=now,
            task__deadline__lte=now + dt.timedelta(minutes=minutes),
            task__created_at__lte=F("task__deadline") - dt.timedelta(minutes=minutes),
            **{f"reminded_{lead}_at__isnull": True},
        )
        for pk in window.values_list("pk", flat=True):
            sent += assignment_remind(assignment_id=pk, lead=lead)
    return sent
