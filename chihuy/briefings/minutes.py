"""The chair's agenda and the minutes (issue 6 §5–6; R3, R8, R10, R12, R24).

The agenda is built from small source functions, one per kind of input: non-urgent intake
records since the last briefing (R3), the children's daily reports that are missing or late,
the difficulties and recommendations in today's reports (R8, R12), and overdue tasks (R10).
Each source reads another app's selector; a source whose app is not installed is reported
as unavailable instead of failing the whole agenda. Rebuilding adds only what is new.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chihuy.briefings.choices import AgendaSource, Attendance, BriefingStatus
from chihuy.briefings.models import AgendaItem, Briefing, Conclusion
from chihuy.briefings.services.common import _acting, _check_open, _participant_users, fmt, notify
from chihuy.centres.models import Agency, Centre, Member


@dataclass(frozen=True)
class Draft:
    source: str
    key: str
    title: str
    body: str = ""
    url: str = ""


class SourceUnavailable(Exception):
    """The app that feeds this part of the agenda is not installed (yet)."""


def _load(module: str, name: str) -> Callable[..., Any]:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise SourceUnavailable(f"{module}.{name}") from exc


def _url_of(obj: Any) -> str:
    try:
        return str(obj.get_absolute_url()) if hasattr(obj, "get_absolute_url") else ""
    except NoReverseMatch:
        return ""


def task_service_ready() -> bool:
    """Whether conclusions can become tasks (the directives app provides ``task_create``)."""
    try:
        _load("chihuy.directives.services", "task_create")
    except SourceUnavailable:
        return False
    return True


def previous_briefing_start(briefing: Briefing) -> dt.datetime | None:
    """When the centre's last briefing before this one started (the "since" of R3)."""
    return (
        Briefing.objects.filter(centre=briefing.centre, starts_at__lt=briefing.starts_at)
        .exclude(status=BriefingStatus.CANCELLED)
        .exclude(pk=briefing.pk)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )


def source_intake(briefing: Briefing) -> list[Draft]:
    """R3: non-urgent information received since the last briefing, raised by the chair."""
    intake_for_briefing = _load("chihuy.intake.selectors", "intake_for_briefing")
    since = previous_briefing_start(briefing)
    drafts = []
    for r in intake_for_briefing(centre=briefing.centre, since=since):
        drafts.append(
            Draft(
                source=AgendaSource.INTAKE,
                key=f"intake:{r.pk}",
                title=f"{r.number} – {r.get_category_display()}: {r.content[:200]}",
                body=r.content,
                url=reverse("intake:detail", args=[r.pk]),
            )
        )
    return drafts


def _names(centres: Iterable[Centre]) -> str:
    return "; ".join(c.name for c in centres)


def source_reports_missing(briefing: Briefing) -> list[Draft]:
    reports_missing = _load("chihuy.reports.selectors", "reports_missing")
    day = timezone.localdate(briefing.starts_at)
    missing = list(reports_missing(centre=briefing.centre, day=day))
    if not missing:
        return []
    return [
        Draft(
            source=AgendaSource.REPORTS_MISSING,
            key=f"reports_missing:{day:%Y%m%d}",
            title=_("Chưa gửi báo cáo ngày %(d)s (%(n)d đơn vị)")
            % {"d": f"{day:%d/%m/%Y}", "n": len(missing)},
            body=_names(missing),
        )
    ]


def source_reports_late(briefing: Briefing) -> list[Draft]:
    reports_late = _load("chihuy.reports.selectors", "reports_late")
    day = timezone.localdate(briefing.starts_at)
    late = list(reports_late(centre=briefing.centre, day=day))
    if not late:
        return []
    return [
        Draft(
            source=AgendaSource.REPORTS_LATE,
            key=f"reports_late:{day:%Y%m%d}",
            title=_("Gửi báo cáo muộn ngày %(d)s (%(n)d đơn vị)") % {"d": f"{day:%d/%m/%Y}", "n": len(late)},
            body=_names(late),
        )
    ]


def source_report_texts(briefing: Briefing) -> list[Draft]:
    """R8, R12: difficulties and recommendations in the children's reports of the day."""
    report_texts = _load("chihuy.reports.selectors", "report_texts_for_briefing")
    day = timezone.localdate(briefing.starts_at)
    drafts = []
    for child, difficulties, recommendations in report_texts(centre=briefing.centre, day=day):
        parts = []
        if (difficulties or "").strip():
            parts.append(_("Khó khăn, vướng mắc: %(t)s") % {"t": difficulties.strip()})
        if (recommendations or "").strip():
            parts.append(_("Kiến nghị, đề xuất: %(t)s") % {"t": recommendations.strip()})
        if not parts:
            continue
        drafts.append(
            Draft(
                source=AgendaSource.REPORT_TEXT,
                key=f"report:{child.pk}:{day:%Y%m%d}",
                title=_("Khó khăn, kiến nghị của %(c)s") % {"c": child.name},
                body="\n".join(parts),
            )
        )
    return drafts


def source_tasks_overdue(briefing: Briefing) -> list[Draft]:
    tasks_overdue = _load("chihuy.directives.selectors", "tasks_overdue")
    drafts = []
    for task in tasks_overdue(centre=briefing.centre):
        deadline = getattr(task, "deadline", None)
        body = _("Hạn: %(d)s") % {"d": fmt(deadline)} if isinstance(deadline, dt.datetime) else ""
        drafts.append(
            Draft(
                source=AgendaSource.TASK_OVERDUE,
                key=f"task:{task.pk}",
                title=_("Nhiệm vụ quá hạn: %(t)s") % {"t": getattr(task, "title", str(task))},
                body=body,
                url=_url_of(task),
            )
        )
    return drafts


SOURCES: list[tuple[str, Any, Callable[[Briefing], list[Draft]]]] = [
    (AgendaSource.INTAKE, gettext_lazy("Thông tin tiếp nhận"), source_intake),
    (AgendaSource.REPORTS_MISSING, gettext_lazy("Báo cáo chưa gửi"), source_reports_missing),
    (AgendaSource.REPORTS_LATE, gettext_lazy("Báo cáo muộn"), source_reports_late),
    (AgendaSource.REPORT_TEXT, gettext_lazy("Khó khăn, kiến nghị"), source_report_texts),
    (AgendaSource.TASK_OVERDUE, gettext_lazy("Nhiệm vụ quá hạn"), source_tasks_overdue),
]


@dataclass
class BuildResult:
    added: int
    unavailable: list[str]


def _next_position(briefing: Briefing) -> int:
    top = briefing.agenda.aggregate(m=Max("position"))["m"]
    return (top or 0) + 10


def agenda_build(*, briefing: Briefing, actor: Any) -> BuildResult:
    """Add to the agenda whatever the sources hold that is not on it yet (idempotent)."""
    _check_open(briefing)
    unavailable: list[str] = []
    drafts: list[Draft] = []
    for _code, label, source in SOURCES:
        try:
            drafts.extend(source(briefing))
        except SourceUnavailable:
            unavailable.append(str(label))
    with _acting(actor), transaction.atomic():
        known = set(briefing.agenda.exclude(source_key="").values_list("source_key", flat=True))
        position = _next_position(briefing)
        added = 0
        for d in drafts:
            if d.key in known:
                continue
            item = AgendaItem(
                briefing=briefing,
                position=position,
                source=d.source,
                source_key=d.key,
                source_url=d.url,
                title=d.title[:300],
                body=d.body,
                added_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            item.full_clean(validate_constraints=False)
            item.save()
            known.add(d.key)
            position += 10
            added += 1
    return BuildResult(added=added, unavailable=unavailable)


def agenda_item_add(*, briefing: Briefing, actor: Any, title: str, body: str = "") -> AgendaItem:
    """The chair adds an item of his own."""
    _check_open(briefing)
    item = AgendaItem(
        briefing=briefing,
        position=_next_position(briefing),
        source=AgendaSource.MANUAL,
        title=(title or "").strip(),
        body=(body or "").strip(),
        added_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if not item.title:
        raise ValidationError({"title": _("Nhập nội dung cần đưa vào chương trình.")})
    item.full_clean(validate_constraints=False)
    with _acting(actor), transaction.atomic():
        item.save()
    return item


def agenda_item_move(*, item: AgendaItem, actor: Any, direction: str) -> list[AgendaItem]:
    """Move an item one place up or down; positions are renumbered 10, 20, 30…"""
    briefing = item.briefing
    _check_open(briefing)
    if direction not in ("up", "down"):
        raise ValidationError(_("Hướng di chuyển không hợp lệ."))
    with _acting(actor), transaction.atomic():
        items = list(briefing.agenda.select_for_update().order_by("position", "id"))
        index = next(i for i, x in enumerate(items) if x.pk == item.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
        for i, x in enumerate(items, start=1):
            if x.position != i * 10:
                x.position = i * 10
                x.save(update_fields=["position"])
    return items


def agenda_item_update(*, item: AgendaItem, actor: Any, notes: str, title: str | None = None) -> AgendaItem:
    """The minutes taken on one item."""
    _check_open(item.briefing)
    item.notes = (notes or "").strip()
    if title is not None:
        item.title = title.strip()
    item.full_clean(validate_constraints=False)
    with _acting(actor), transaction.atomic():
        item.save()
    return item


def agenda_item_delete(*, item: AgendaItem, actor: Any) -> None:
    _check_open(item.briefing)
    if item.conclusions.exists():
        raise ValidationError(_("Nội dung này đã có kết luận; xoá kết luận trước."))
    with _acting(actor), transaction.atomic():
        item.delete()


# --- Conclusions and tasks -------------------------------------------------------------


def _check_assignees(
    briefing: Briefing, member: Member | None, agency: Agency | None, centres: list[Centre]
) -> dict[str, str]:
    errors = {}
    if member is not None and (member.centre_id != briefing.centre_id or not member.is_active):
        errors["assignee_member"] = _("Thành viên được giao phải thuộc trung tâm chủ trì cuộc họp.")
    if agency is not None and agency.centre_id != briefing.centre_id:
        errors["assignee_agency"] = _("Cơ quan được giao phải là cơ quan thành viên của trung tâm.")
    wrong = [c for c in centres if c.parent_id != briefing.centre_id]
    if wrong:
        errors["assignee_centres"] = _("Chỉ giao cho trung tâm cấp dưới trực tiếp: %(c)s không thuộc.") % {
            "c": _names(wrong)
        }
    return errors


def conclusion_create(
    *,
    briefing: Briefing,
    actor: Any,
    text: str,
    agenda_item: AgendaItem | None = None,
    assignee_member: Member | None = None,
    assignee_agency: Agency | None = None,
    assignee_centres: Iterable[Centre] = (),
    deadline: dt.datetime | None = None,
    priority: str = "normal",
) -> Conclusion:
    """A conclusion of the chair, optionally with whom it falls to and by when."""
    _check_open(briefing)
    centres = list(assignee_centres)
    if agenda_item is not None and agenda_item.briefing_id != briefing.pk:
        raise ValidationError({"agenda_item": _("Nội dung không thuộc cuộc họp này.")})
    errors = _check_assignees(briefing, assignee_member, assignee_agency, centres)
    if deadline is not None and deadline <= briefing.starts_at:
        errors["deadline"] = _("Thời hạn phải sau thời điểm họp (%(t)s).") % {"t": fmt(briefing.starts_at)}
    if errors:
        raise ValidationError(errors)
    top = briefing.conclusions.aggregate(m=Max("position"))["m"] or 0
    conclusion = Conclusion(
        briefing=briefing,
        agenda_item=agenda_item,
        text=(text or "").strip(),
        assignee_member=assignee_member,
        assignee_agency=assignee_agency,
        deadline=deadline,
        priority=priority,
        position=top + 10,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if not conclusion.text:
        raise ValidationError({"text": _("Nhập nội dung kết luận.")})
    conclusion.full_clean(validate_constraints=False)
    with _acting(actor), transaction.atomic():
        conclusion.save()
        conclusion.assignee_centres.set(centres)
    return conclusion


def conclusion_delete(*, conclusion: Conclusion, actor: Any) -> None:
    _check_open(conclusion.briefing)
    if conclusion.has_task:
        raise ValidationError(_("Kết luận đã thành nhiệm vụ; không xoá được."))
    with _acting(actor), transaction.atomic():
        conclusion.delete()


def conclusion_to_task(*, conclusion: Conclusion, actor: Any) -> Any:
    """One click: the conclusion becomes a task of the directives app, which keeps a link back
    to it (source ``briefing``). Works also after the minutes are published."""
    if conclusion.has_task:
        raise ValidationError(_("Kết luận này đã được giao thành nhiệm vụ."))
    briefing = conclusion.briefing
    if briefing.status == BriefingStatus.CANCELLED:
        raise ValidationError(_("Cuộc họp đã huỷ."))
    centres = list(conclusion.assignee_centres.all())
    if conclusion.assignee_member is None and conclusion.assignee_agency is None and not centres:
        raise ValidationError(
            _("Kết luận chưa có người nhận: chọn thành viên, cơ quan hoặc trung tâm cấp dưới được giao.")
        )
    if conclusion.deadline is None:
        raise ValidationError(_("Kết luận chưa có thời hạn: nhập thời hạn trước khi giao nhiệm vụ."))
    from django.contrib.contenttypes.models import ContentType

    task_create = _load("chihuy.directives.services", "task_create")
    title = conclusion.text.splitlines()[0][:200]
    description = _("Kết luận tại %(b)s.\n\n%(t)s") % {"b": briefing, "t": conclusion.text}
    with _acting(actor), transaction.atomic():
        task = task_create(
            actor=actor,
            centre=briefing.centre,
            title=title,
            description=description,
            source_kind="briefing",
            source_object=conclusion,
            assignee_member=conclusion.assignee_member,
            assignee_agency=conclusion.assignee_agency,
            assignee_centres=centres,
            deadline=conclusion.deadline,
            priority=conclusion.priority,
        )
        conclusion.task_type = ContentType.objects.get_for_model(task)
        conclusion.task_id = task.pk
        conclusion.save()
    return task


def minutes_publish(*, briefing: Briefing, actor: Any) -> Briefing:
    """Close the meeting: whoever is still unmarked is recorded absent without permission
    (R10), the minutes are frozen and sent to every participant."""
    _check_open(briefing)
    if not briefing.has_started:
        raise ValidationError(
            _("Cuộc họp chưa diễn ra (%(t)s); chỉ phát hành biên bản sau khi họp.")
            % {"t": fmt(briefing.starts_at)}
        )
    with _acting(actor), transaction.atomic():
        for p in briefing.participants.filter(attendance=Attendance.UNKNOWN):
            p.attendance = Attendance.UNEXCUSED
            p.marked_by = actor if getattr(actor, "is_authenticated", False) else None
            p.marked_at = timezone.now()
            p.save()
        briefing.status = BriefingStatus.HELD
        briefing.minutes_published_at = timezone.now()
        briefing.save()
        conclusions = list(briefing.conclusions.order_by("position", "id"))
        body = [
            _("Biên bản %(b)s đã được phát hành.") % {"b": briefing},
            "",
            *[f"{i}. {c.text}" for i, c in enumerate(conclusions, start=1)],
        ]
        notify(
            users=_participant_users(briefing),
            subject=_("Biên bản: %(t)s") % {"t": briefing.title},
            body="\n".join(body),
            url=reverse("briefings:minutes", args=[briefing.pk]),
            centre=briefing.centre,
            kind="minutes",
        )
    return briefing


def minutes_summary_update(*, briefing: Briefing, actor: Any, summary: str) -> Briefing:
    _check_open(briefing)
    briefing.minutes_summary = (summary or "").strip()
    with _acting(actor), transaction.atomic():
        briefing.save()
    return briefing
