from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from chihuy.reports.tests.factories import local

# A Sunday in November 2026, 15:00 in Hà Nội: before every reminder of the day.
TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def clock():
    with time_machine.travel(local(TODAY, 15), tick=False) as traveller:
        yield traveller


@pytest.fixture
def today(clock):
    return TODAY
