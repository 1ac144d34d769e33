"""Reads of the announcement channel, with read receipts and links the reader may open (R4)."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from chihuy.announcements.models import Message, MessageRead
from chihuy.centres.models import Centre, Member

# "#VP-20261122-0042": a logbook number written in a message.
RECORD_NUMBER = re.compile(r"#([A-Z0-9]{2,12}-\d{8}-\d{4})\b")
PAGE = 50


def member_user_ids(centre: Centre) -> set[int]:
    return set(
        Member.objects.filter(centre=centre, is_active=True, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def channel_messages(
    *, user: Any, centre: Centre, limit: int = PAGE, before: int | None = None
) -> list[Message]:
    """The latest messages (oldest first on screen), each with ``readers``, ``read_count``,
    ``read_total`` and ``html`` (its text with record numbers linked when ``user`` may see them)."""
    qs = channel_queryset(centre=centre)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs[:limit])
    rows.reverse()
    decorate(user=user, centre=centre, messages=rows)
    return rows


def channel_queryset(*, centre: Centre) -> QuerySet[Message]:
    return (
        Message.objects.filter(centre=centre)
        .select_related("author", "intake_record__centre", "task__centre")
        .prefetch_related(
            Prefetch("reads", queryset=MessageRead.objects.select_related("user").order_by("read_at", "id"))
        )
        .order_by("-created_at", "-id")
    )


def decorate(*, user: Any, centre: Centre, messages: list[Message]) -> None:
    from chihuy.directives.models import Task
    from chihuy.intake.models import IntakeRecord

    members = member_user_ids(centre)
    numbers = {n for m in messages for n in RECORD_NUMBER.findall(m.body)}
    records = {m.intake_record_id for m in messages if m.intake_record_id is not None}
    visible_records = (
        dict(IntakeRecord.objects.visible_to(user).filter(number__in=numbers).values_list("number", "pk"))
        if numbers
        else {}
    )
    visible_ids = (
        set(IntakeRecord.objects.visible_to(user).filter(pk__in=records).values_list("pk", flat=True))
        if records
        else set()
    )
    tasks = {m.task_id for m in messages if m.task_id is not None}
    visible_tasks = (
        set(Task.objects.visible_to(user).filter(pk__in=tasks).values_list("pk", flat=True))
        if tasks
        else set()
    )
    for m in messages:
        readers = [r.user for r in m.reads.all() if r.user_id in members and r.user_id != m.author_id]
        m.readers = readers  # type: ignore[attr-defined]
        m.read_count = len(readers)  # type: ignore[attr-defined]
        m.read_total = len(members - {m.author_id})  # type: ignore[attr-defined]
        m.html = render_body(m.body, visible_records)  # type: ignore[attr-defined]
        m.record_visible = m.intake_record_id in visible_ids  # type: ignore[attr-defined]
        m.task_visible = m.task_id in visible_tasks  # type: ignore[attr-defined]


def render_body(text: str, visible_records: dict[str, int]) -> SafeString:
    """Escape the text, keep its line breaks, link the record numbers the reader may open."""

    def link(match: re.Match[str]) -> str:
        number = match.group(1)
        pk = visible_records.get(number)
        if pk is None:
            return match.group(0)
        return str(
            format_html(
                '<a href="{}" class="record-link">#{}</a>', reverse("intake:detail", args=[pk]), number
            )
        )

    escaped = str(escape(text))
    return mark_safe(RECORD_NUMBER.sub(link, escaped).replace("\n", "<br>"))
