from __future__ import annotations

import datetime as dt

import pytest

from chihuy.reports.demo import seed_demo_reports
from chihuy.reports.models import DailyReport
from chihuy.reports.selectors import completeness

pytestmark = pytest.mark.django_db


def test_demo_reports_have_gaps_and_late_ones_and_are_idempotent(world, today):
    filed = seed_demo_reports(world.province, days=14)
    assert filed > 20
    reports = DailyReport.objects.all()
    assert reports.filter(on_time=False).exists()
    assert reports.filter(centre=world.district).exists()
    rate = completeness(
        centre=world.province, date_from=today - dt.timedelta(days=13), date_to=today - dt.timedelta(days=1)
    )
    assert 0 < rate.pooled.completeness < 100
    assert not reports.filter(date__gt=today).exists()
    assert seed_demo_reports(world.province, days=14) == 0
