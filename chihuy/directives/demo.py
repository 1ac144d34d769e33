"""Demo data for tasks and directives: a provincial directive to the districts, a district
directive to every commune with one commune already under way (R10, R12)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from chihuy.centres.choices import Role
from chihuy.centres.models import Centre, Member
from chihuy.directives.choices import UpdateKind
from chihuy.directives.models import Task
from chihuy.directives.services import assignment_update, task_create


def _person(centre: Centre, *roles: str) -> Any:
    m = (
        Member.objects.filter(centre=centre, is_active=True, role__in=roles)
        .select_related("user")
        .order_by("role")
        .first()
    )
    return m.user if m else None


def _give(centre: Centre, title: str, **kwargs: Any) -> Task:
    existing = Task.objects.filter(centre=centre, title=title).first()
    if existing is not None:
        return existing
    return task_create(
        actor=_person(centre, Role.COMMANDER, Role.DEPUTY, Role.STANDING),
        centre=centre,
        title=title,
        **kwargs,
    )


def seed_demo_directives(province_centre: Centre) -> list[Task]:
    """Tasks for the demo province; safe to run twice (a task is matched by centre and title)."""
    tomorrow_17 = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(17))
    )
    tasks = []
    districts = list(province_centre.children.order_by("name"))
    if districts:
        tasks.append(
            _give(
                province_centre,
                "Tổ chức xét nghiệm diện rộng tại các khu vực nguy cơ cao",
                description=(
                    "Các địa phương lập kế hoạch, bố trí lực lượng lấy mẫu; "
                    "báo cáo kết quả hằng ngày trước 17:00."
                ),
                source_kind="document",
                document_number="2230/QĐ-UBND",
                assignee_centres=districts,
                deadline=tomorrow_17 + dt.timedelta(days=2),
                priority="high",
            )
        )
    for district in districts:
        communes = list(district.children.order_by("name"))
        if not communes:
            continue
        directive = _give(
            district,
            "Rà soát người về từ vùng dịch trên địa bàn",
            description=(
                "Lập danh sách, hướng dẫn khai báo y tế và cách ly theo quy định; báo cáo trước 17:00."
            ),
            source_kind="briefing",
            assignee_centres=communes,
            deadline=tomorrow_17,
            priority="urgent",
        )
        tasks.append(directive)
        first = directive.assignments.filter(assignee_centre=communes[0]).first()
        officer = _person(communes[0], Role.STANDING, Role.DUTY_OFFICER, Role.MEMBER, Role.COMMANDER)
        if first is not None and officer is not None and first.status == "assigned":
            assignment_update(actor=officer, assignment=first, kind=UpdateKind.ACCEPT)
            assignment_update(
                actor=officer,
                assignment=first,
                kind=UpdateKind.PROGRESS,
                progress=60,
                note="Đã rà soát 6/10 tổ dân phố, phát hiện 14 người về từ vùng dịch.",
            )
        health = Member.objects.filter(centre=district, is_active=True, role=Role.MEMBER).first()
        if health is not None:
            tasks.append(
                _give(
                    district,
                    "Chuẩn bị phương án khu cách ly tập trung",
                    description="Khảo sát địa điểm, dự trù vật tư theo phương châm 4 tại chỗ.",
                    source_kind="other",
                    assignee_member=health,
                    deadline=tomorrow_17 + dt.timedelta(days=3),
                )
            )
    return tasks
