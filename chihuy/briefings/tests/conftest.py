from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# A Friday morning; today's 17:00 briefing is ahead.
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=TZ)


def at(hour: int, minute: int = 0, day: int = 20) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rooms(world):
    """The province has a 5-seat main room and a 40-seat hall, as in R5."""
    from chihuy.centres.models import Centre

    Centre.objects.filter(pk=world.province.pk).update(
        room_primary="Phòng họp tầng 2",
        room_primary_capacity=5,
        room_fallback="Hội trường tầng 4",
        room_fallback_capacity=40,
    )
    world.province.refresh_from_db()
    for key in ("district", "commune", "sibling"):
        Centre.objects.filter(pk=world.centre(key).pk).update(room_primary="Phòng họp UBND")
        world.centre(key).refresh_from_db()
    return world
