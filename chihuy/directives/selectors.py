"""Reads for tasks and directives, restricted by the permission layer (R8, R10, R12)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.centres.access import memberships
from chihuy.centres.models import Centre
from chihuy.core.text import search_key
from chihuy.directives.access import TaskAction, access_assignment, access_task
from chihuy.directives.choices import CLOSED_STATUSES, TaskStatus
from chihuy.directives.models import Assignment, Task, TaskAttachment, TaskUpdate
from chihuy.directives.models.task import TaskAssignmentQuerySet, TaskQuerySet

# Columns of the board, left to right; "escalated" shares the last one with "cannot".
BOARD_COLUMNS = [
    TaskStatus.ASSIGNED,
    TaskStatus.ACCEPTED,
    TaskStatus.IN_PROGRESS,
    TaskStatus.OVERDUE,
    TaskStatus.DONE,
    TaskStatus.CANNOT,
]
_COLUMN_OF = {TaskStatus.ESCALATED: TaskStatus.CANNOT}


def column_of(status: str) -> str:
    return _COLUMN_OF.get(status, status)  # type: ignore[call-overload]


def tasks_overdue(*, centre: Centre) -> QuerySet[Task]:
    """Tasks given by ``centre`` that are past their deadline and not finished (R10).

    Finished means done, cannot be done (with a reason) or escalated. A task counts
    from the moment its deadline passes, whether or not the overdue notice has gone out.
    """
    return (
        Task.objects.filter(centre=centre)
        .overdue(timezone.now())
        .select_related("centre", "created_by")
        .prefetch_related(_assignments_prefetch(Assignment.objects.all()))
        .order_by("deadline", "id")
    )


def _assignments_prefetch(qs: QuerySet[Assignment]) -> Prefetch[Any]:
    return Prefetch(
        "assignments",
        queryset=qs.select_related("assignee_member__user", "assignee_agency", "assignee_centre").order_by(
            "assignee_centre__name", "id"
        ),
        to_attr="shown_assignments",
    )


def _base() -> TaskQuerySet:
    return Task.objects.select_related("centre", "created_by", "escalated_from__task__centre")


def task_get(*, user: Any, pk: Any, action: TaskAction = TaskAction.VIEW) -> Task:
    """One task with the assignments ``user`` may see (a commune sees only its own)."""
    qs = _base().prefetch_related(_assignments_prefetch(Assignment.objects.visible_to(user)))
    return access_task(user, qs, pk, action)


def assignment_get(*, user: Any, pk: Any, action: TaskAction = TaskAction.VIEW) -> Assignment:
    qs = Assignment.objects.select_related(
        "task__centre",
        "assignee_centre__parent",
        "assignee_member__user",
        "assignee_agency",
    )
    return access_assignment(user, qs, pk, action)


def _readable_updates(user: Any, task: Task, prefix: str = "") -> Q:
    """Task-wide updates, and those of the assignments ``user`` may see (not a sibling's)."""
    visible = Assignment.objects.visible_to(user).filter(task=task).values("pk")
    return Q(**{f"{prefix}assignment__isnull": True}) | Q(**{f"{prefix}assignment__in": visible})


def task_history(*, user: Any, task: Task) -> QuerySet[TaskUpdate]:
    """The task's history as ``user`` may read it: task-wide lines and his visible assignments'."""
    return (
        TaskUpdate.objects.filter(task=task)
        .filter(_readable_updates(user, task))
        .select_related(
            "author",
            "assignment__assignee_centre",
            "assignment__assignee_member__user",
            "assignment__assignee_agency",
        )
        .prefetch_related("attachments")
        .order_by("at", "id")
    )


def task_attachment(*, user: Any, task: Task, pk: Any) -> TaskAttachment:
    """A file posted with one of the updates ``user`` may read on ``task`` (a commune never
    opens its sibling's reports); 404 otherwise."""
    try:
        return TaskAttachment.objects.filter(_readable_updates(user, task, "update__")).get(
            pk=pk, update__task=task
        )
    except (TaskAttachment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy tệp đính kèm.")) from exc


@dataclass
class Column:
    code: str
    label: str
    colour: str
    given: list[Task] = field(default_factory=list)
    received: list[Assignment] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.given) + len(self.received)


@dataclass
class Board:
    """Cards per column: tasks given by the centre and assignments it received."""

    columns: list[Column]

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns)


def task_list(
    *,
    user: Any,
    centre: Centre,
    status: str = "",
    priority: str = "",
    q: str = "",
    assignee_centre: Centre | None = None,
    overdue: bool | None = None,
) -> TaskQuerySet:
    """Tasks given by ``centre`` that ``user`` may see, with their visible assignments."""
    qs = (
        _base()
        .visible_to(user)
        .filter(centre=centre)
        .prefetch_related(_assignments_prefetch(Assignment.objects.visible_to(user)))
    )
    now = timezone.now()
    if status == TaskStatus.OVERDUE:
        qs = qs.overdue(now)
    elif status:
        qs = qs.filter(status=status)
        if status not in CLOSED_STATUSES:
            qs = qs.filter(deadline__gte=now)
    if overdue is True:
        qs = qs.overdue(now)
    elif overdue is False:
        qs = qs.exclude(pk__in=Task.objects.overdue(now).values("pk"))
    if priority:
        qs = qs.filter(priority=priority)
    if assignee_centre is not None:
        qs = qs.filter(assignments__assignee_centre=assignee_centre)
    for word in search_key(q).split()[:8]:
        qs = qs.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(document_number__icontains=word)
        )
    return qs.order_by("deadline", "id")


def received_list(*, user: Any, centre: Centre, priority: str = "", q: str = "") -> TaskAssignmentQuerySet:
    """Assignments given to ``centre`` by its parent (a commune's part of a district directive)."""
    qs = (
        Assignment.objects.visible_to(user)
        .filter(assignee_centre=centre)
        .select_related("task__centre", "assignee_centre", "task__created_by")
    )
    if priority:
        qs = qs.filter(task__priority=priority)
    for word in search_key(q).split()[:8]:
        qs = qs.filter(Q(task__title__icontains=word) | Q(task__description__icontains=word))
    return qs.order_by("task__deadline", "id")


def task_board(
    *, user: Any, centre: Centre, scope: str = "", status: str = "", priority: str = "", q: str = ""
) -> Board:
    """The centre's board: columns by status (an open card past its deadline sits in "overdue")."""
    columns: dict[str, Column] = {
        str(s): Column(code=s, label=str(TaskStatus(s).label), colour=TaskStatus(s).colour)
        for s in BOARD_COLUMNS
    }
    wanted = column_of(status) if status else ""
    if scope in ("", "given"):
        for t in task_list(user=user, centre=centre, priority=priority, q=q):
            col = column_of(t.board_status)
            if not wanted or col == wanted:
                columns[col].given.append(t)
    if scope in ("", "received"):
        for a in received_list(user=user, centre=centre, priority=priority, q=q):
            col = column_of(a.board_status)
            if not wanted or col == wanted:
                columns[col].received.append(a)
    return Board(columns=list(columns.values()))


def my_assignments(*, user: Any, include_closed: bool = False) -> TaskAssignmentQuerySet:
    """ "My tasks": assigned to me, to my agency, or to a centre where I hold a role."""
    mine = memberships(user)
    member_ids = [m.pk for m in mine]
    agency_pairs = [(m.centre_id, m.agency_id) for m in mine if m.agency_id]
    centre_ids = list({m.centre_id for m in mine})
    cond = Q(assignee_member_id__in=member_ids) | Q(assignee_centre_id__in=centre_ids)
    for centre_id, agency_id in agency_pairs:
        cond |= Q(assignee_agency_id=agency_id, task__centre_id=centre_id)
    qs = (
        Assignment.objects.filter(cond)
        .select_related("task__centre", "assignee_centre", "assignee_member__user", "assignee_agency")
        .order_by("task__deadline", "id")
    )
    if not include_closed:
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    return qs


def tasks_received(
    *, user: Any, centre: Centre, status: str = "", priority: str = "", q: str = ""
) -> TaskQuerySet:
    """Tasks in which ``centre`` holds an assignment (given by its parent), as ``user`` sees them."""
    qs = (
        _base()
        .visible_to(user)
        .filter(pk__in=Assignment.objects.filter(assignee_centre=centre).values("task_id"))
        .prefetch_related(_assignments_prefetch(Assignment.objects.visible_to(user)))
    )
    if status == TaskStatus.OVERDUE:
        qs = qs.overdue(timezone.now())
    elif status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    for word in search_key(q).split()[:8]:
        qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return qs.order_by("deadline", "id")
