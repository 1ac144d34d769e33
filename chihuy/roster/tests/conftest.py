from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from chihuy.roster.tests.factories import staff_centre

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# A Friday before the 30/4 and 1/5 holidays.
NOW = dt.datetime(2026, 4, 24, 9, 0, tzinfo=TZ)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staffed(world, frozen):
    return staff_centre(world.commune, per_agency=6)


@pytest.fixture
def published(staffed):
    from chihuy.roster import services

    roster = services.roster_generate(
        centre=staffed.centre, start=dt.date(2026, 4, 24), end=dt.date(2026, 5, 7)
    )
    services.roster_publish(roster=roster)
    roster.refresh_from_db()
    return roster
