from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.core.files import PrivateFileField, display_name, validate_document
from chihuy.directives.choices import (
    CLOSED_STATUSES,
    AssigneeKind,
    Priority,
    SourceKind,
    TaskStatus,
)


def _visible_centre_ids(user: Any) -> Any:
    from chihuy.centres.access import visible_centres

    return visible_centres(user).values("pk")


class BoardStatus:
    """Where a task or one commune's assignment of it stands on the board.

    An open one past its deadline is overdue whatever was stored, so the board never waits
    for the overdue sweep. ``due_at`` is the deadline that applies (the task's own).
    """

    status: str

    @property
    def due_at(self) -> Any:
        raise NotImplementedError

    @property
    def is_overdue(self) -> bool:
        return self.status not in CLOSED_STATUSES and self.due_at < timezone.now()

    @property
    def board_status(self) -> str:
        return TaskStatus.OVERDUE if self.is_overdue else self.status

    @property
    def board_status_label(self) -> str:
        return str(TaskStatus(self.board_status).label)

    @property
    def status_colour(self) -> str:
        return TaskStatus(self.board_status).colour


class TaskQuerySet(models.QuerySet["Task"]):
    def visible_to(self, user: Any) -> TaskQuerySet:
        """The assigning centre and its ancestors see a task; an assigned centre sees it too.

        What an assigned centre sees of the task's other assignments is restricted by
        ``TaskAssignmentQuerySet.visible_to``: a commune never sees its sibling's progress.
        """
        if getattr(user, "is_superuser", False) and user.is_active:
            return self
        centres = _visible_centre_ids(user)
        return self.filter(
            Q(centre__in=centres)
            | Q(pk__in=Assignment.objects.filter(assignee_centre__in=centres).values("task_id"))
        )

    def open(self) -> TaskQuerySet:
        return self.exclude(status__in=CLOSED_STATUSES)

    def overdue(self, now: Any = None) -> TaskQuerySet:
        """Past the deadline and some assignment not finished (or none assigned yet)."""
        now = now or timezone.now()
        return self.filter(deadline__lt=now).exclude(status__in=CLOSED_STATUSES)


class Task(BoardStatus, Audited):
    """A task or directive given by one centre (R8, R10, R12, R24): to a member, an agency,
    or one or many child centres, each tracked in its own ``Assignment``."""

    centre = models.ForeignKey(
        "centres.Centre", verbose_name=_("trung tâm giao"), on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(_("tiêu đề"), max_length=255)
    description = models.TextField(_("nội dung"), blank=True)
    source_kind = models.CharField(
        _("nguồn"), max_length=10, choices=SourceKind.choices, default=SourceKind.OTHER
    )
    source_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_content_type", "source_object_id")
    document_number = models.CharField(_("số văn bản"), max_length=60, blank=True)
    document_file = PrivateFileField(
        _("tệp văn bản"),
        folder="directives/documents",
        name_field="document_name",
        blank=True,
        validators=[validate_document],
    )
    document_name = models.CharField(_("tên tệp văn bản"), max_length=255, blank=True, editable=False)
    assignee_kind = models.CharField(
        _("giao cho"), max_length=8, choices=AssigneeKind.choices, default=AssigneeKind.NONE
    )
    deadline = models.DateTimeField(_("hạn hoàn thành"))
    priority = models.CharField(
        _("mức ưu tiên"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    escalated_from = models.ForeignKey(
        "directives.Assignment",
        verbose_name=_("cấp dưới báo cáo từ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người giao"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks_created",
    )
    created_at = models.DateTimeField(_("giao lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = TaskQuerySet.as_manager()

    audit_exclude = frozenset({"updated_at"})

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["centre", "status", "deadline"], name="task_centre_status_deadline"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_max_100"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def number(self) -> str:
        return f"NV{self.pk}"

    @property
    def document_label(self) -> str:
        return display_name(self.document_file, self.document_name)

    @property
    def due_at(self) -> Any:
        return self.deadline

    @property
    def priority_colour(self) -> str:
        return Priority(self.priority).colour


class TaskAssignmentQuerySet(models.QuerySet["Assignment"]):
    def visible_to(self, user: Any) -> TaskAssignmentQuerySet:
        """The assigning side sees every assignment; an assigned centre only its own."""
        if getattr(user, "is_superuser", False) and user.is_active:
            return self
        centres = _visible_centre_ids(user)
        return self.filter(Q(task__centre__in=centres) | Q(assignee_centre__in=centres))

    def open(self) -> TaskAssignmentQuerySet:
        return self.exclude(status__in=CLOSED_STATUSES)


class Assignment(BoardStatus, Audited):
    """Who carries out a task, with his own status and progress: one per member, agency or
    child centre (a directive to every commune is tracked commune by commune, R12)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    assignee_member = models.ForeignKey(
        "centres.Member",
        verbose_name=_("thành viên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="task_assignments",
    )
    assignee_agency = models.ForeignKey(
        "centres.Agency",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="task_assignments",
    )
    assignee_centre = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("trung tâm cấp dưới"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="task_assignments",
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    reason = models.TextField(_("lý do"), blank=True)
    accepted_at = models.DateTimeField(_("nhận lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    # Set once each notice went out: the conditional update is what makes reminders idempotent.
    reminded_24h_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_2h_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = TaskAssignmentQuerySet.as_manager()

    audit_exclude = frozenset({"updated_at"})

    class Meta:
        verbose_name = _("phân công thực hiện")
        verbose_name_plural = _("phân công thực hiện")
        ordering = ["task", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        assignee_member__isnull=False,
                        assignee_agency__isnull=True,
                        assignee_centre__isnull=True,
                    )
                    | Q(
                        assignee_member__isnull=True,
                        assignee_agency__isnull=False,
                        assignee_centre__isnull=True,
                    )
                    | Q(
                        assignee_member__isnull=True,
                        assignee_agency__isnull=True,
                        assignee_centre__isnull=False,
                    )
                ),
                name="assignment_exactly_one_assignee",
            ),
            models.UniqueConstraint(
                fields=["task", "assignee_centre"],
                condition=Q(assignee_centre__isnull=False),
                name="assignment_unique_centre",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="assignment_progress_max_100"),
            models.CheckConstraint(
                condition=~Q(status__in=["cannot", "escalated"]) | ~Q(reason=""),
                name="assignment_closed_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["assignee_centre", "status"], name="assignment_centre_status")]

    def __str__(self) -> str:
        return f"{self.task} – {self.assignee_label}"

    def audit_centre(self) -> Any:
        return self.task.centre

    @property
    def assignee(self) -> Any:
        return self.assignee_member or self.assignee_agency or self.assignee_centre

    @property
    def assignee_label(self) -> str:
        if self.assignee_member_id and self.assignee_member is not None:
            return self.assignee_member.user.get_full_name() or str(self.assignee_member.user)
        return str(self.assignee or "")

    @property
    def holder_centre(self) -> Any:
        """The centre that carries the assignment out: the child centre, or the task's own."""
        return self.assignee_centre if self.assignee_centre_id else self.task.centre

    @property
    def due_at(self) -> Any:
        return self.task.deadline
