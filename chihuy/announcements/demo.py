"""Demo data for the announcement channels (R4): a few messages in the district channel and
in the first commune's, one linking the district's directive."""

from __future__ import annotations

from typing import Any

from chihuy.announcements.models import Message
from chihuy.announcements.services import message_post
from chihuy.centres.models import Centre, Member
from chihuy.directives.models import Task


def _members(centre: Centre) -> list[Any]:
    return [
        m.user
        for m in Member.objects.filter(centre=centre, is_active=True)
        .select_related("user")
        .order_by("role", "id")
    ]


def seed_demo_channel(province_centre: Centre) -> list[Message]:
    """Messages for the demo province's channels; a channel that already has messages is left alone."""
    posted: list[Message] = []
    centres = [province_centre, *province_centre.children.order_by("name")]
    for district in province_centre.children.order_by("name"):
        centres.extend(district.children.order_by("name")[:1])
    for centre in centres:
        people = _members(centre)
        if len(people) < 2 or Message.objects.filter(centre=centre).exists():
            continue
        task = (
            Task.objects.filter(centre=centre).order_by("id").first()
            or Task.objects.filter(assignments__assignee_centre=centre).order_by("id").first()
        )
        posted.append(
            message_post(
                actor=people[0],
                centre=centre,
                body="Đề nghị các đồng chí thành viên theo dõi kênh này thay cho nhóm Zalo; "
                "tin quan trọng sẽ được gửi kèm thư điện tử.",
                important=True,
            )
        )
        posted.append(
            message_post(
                actor=people[1],
                centre=centre,
                body="Đã nhận. Bộ phận thường trực sẽ cập nhật tiến độ nhiệm vụ hằng ngày trước 17:00.",
                task=task,
            )
        )
    return posted
