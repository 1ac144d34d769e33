"""What the daily briefing's agenda takes from the reports (R3, R8)."""

from __future__ import annotations

import datetime as dt

import pytest

from chihuy.reports.selectors import report_texts_for_briefing, reports_late, reports_missing
from chihuy.reports.services import report_submit
from chihuy.reports.tests.factories import figures, local

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 20)


def test_missing_late_and_texts_for_the_district(world):
    # The commune files on time with a difficulty; the sibling has not filed yet.
    report_submit(
        centre=world.commune,
        day=DAY,
        figures=figures(),
        texts={"difficulties": "Thiếu bộ xét nghiệm nhanh.", "recommendations": "Cấp thêm 500 bộ."},
        now=local(DAY, 15),
    )
    assert [c.pk for c in reports_missing(centre=world.district, day=DAY)] == [world.sibling.pk]
    assert reports_late(centre=world.district, day=DAY) == []
    assert report_texts_for_briefing(centre=world.district, day=DAY) == [
        (world.commune, "Thiếu bộ xét nghiệm nhanh.", "Cấp thêm 500 bộ.")
    ]
    # The sibling files after the 17:00 deadline, with nothing to raise.
    report_submit(centre=world.sibling, day=DAY, figures=figures(), now=local(DAY, 18, 30))
    assert reports_missing(centre=world.district, day=DAY) == []
    assert [c.pk for c in reports_late(centre=world.district, day=DAY)] == [world.sibling.pk]
    assert len(report_texts_for_briefing(centre=world.district, day=DAY)) == 1
