from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from chihuy.directives import services

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=TZ)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def directive(world, clock):
    """A district directive to both its communes, due tomorrow at 17:00."""
    return services.task_create(
        actor=world.user("district", "commander"),
        centre=world.district,
        title="Rà soát người về từ vùng dịch",
        description="Lập danh sách, báo cáo trước 17:00.",
        source_kind="document",
        assignee_centres=[world.commune, world.sibling],
        deadline=NOW + dt.timedelta(days=1, hours=8),
        priority="high",
        document_number="123/UBND-VP",
    )


def assignment_of(task, centre):
    return task.assignments.get(assignee_centre=centre)
