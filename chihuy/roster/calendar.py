"""Dates and local times for the roster: Vietnamese holidays and day bounds (R2)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from django.conf import settings


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=32)
def _holidays_for_year(year: int) -> dict[dt.date, str]:
    return dict(holidays_lib.country_holidays("VN", years=[year], language="vi").items())


def vn_holidays(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Vietnamese public holidays between two dates inclusive, with their Vietnamese names."""
    found: dict[dt.date, str] = {}
    for year in range(start.year, end.year + 1):
        for day, name in _holidays_for_year(year).items():
            if start <= day <= end:
                found[day] = name
    return found


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=local_tz())


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)
