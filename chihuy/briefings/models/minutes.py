from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.briefings.choices import AgendaSource, TaskPriority


class AgendaItem(Audited):
    """One point on the chair's agenda, with the minutes taken on it (issue 6 §5–6)."""

    briefing = models.ForeignKey("briefings.Briefing", on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    source = models.CharField(
        _("nguồn"), max_length=16, choices=AgendaSource.choices, default=AgendaSource.MANUAL
    )
    # "intake:42", "task:7", "report:15": one item per source record, so rebuilding adds only new ones.
    source_key = models.CharField(max_length=60, blank=True, editable=False)
    source_url = models.CharField(max_length=300, blank=True, editable=False)
    title = models.CharField(_("nội dung"), max_length=300)
    body = models.TextField(_("chi tiết"), blank=True)
    notes = models.TextField(_("ghi chép tại cuộc họp"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("nội dung chương trình")
        verbose_name_plural = _("chương trình cuộc họp")
        ordering = ["briefing", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "source_key"], condition=~Q(source_key=""), name="agenda_source_once"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_centre(self) -> Any:
        return self.briefing.centre

    @property
    def source_colour(self) -> str:
        return AgendaSource(self.source).colour


class Conclusion(Audited):
    """A conclusion of the chair; with an assignee and a deadline it becomes a task in one click,
    and the task keeps a link back here (issue 6 §6)."""

    briefing = models.ForeignKey("briefings.Briefing", on_delete=models.CASCADE, related_name="conclusions")
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("thuộc nội dung"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conclusions",
    )
    text = models.TextField(_("kết luận"))
    assignee_member = models.ForeignKey(
        "centres.Member",
        verbose_name=_("giao cho thành viên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee_agency = models.ForeignKey(
        "centres.Agency",
        verbose_name=_("giao cho cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee_centres = models.ManyToManyField(
        "centres.Centre", verbose_name=_("giao cho trung tâm cấp dưới"), blank=True, related_name="+"
    )
    deadline = models.DateTimeField(_("thời hạn"), null=True, blank=True)
    priority = models.CharField(
        _("mức ưu tiên"), max_length=8, choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    task_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    task_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    task = GenericForeignKey("task_type", "task_id")
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kết luận")
        verbose_name_plural = _("kết luận")
        ordering = ["briefing", "position", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    def audit_centre(self) -> Any:
        return self.briefing.centre

    @property
    def centre(self) -> Any:
        """The centre whose briefing reached this conclusion (a task's source checks it)."""
        return self.briefing.centre

    @property
    def has_task(self) -> bool:
        return self.task_id is not None

    @property
    def task_url(self) -> str:
        if self.task_id is None:
            return ""
        try:
            return reverse("directives:detail", args=[self.task_id])
        except NoReverseMatch:
            return ""
