"""Demo daily reports for a province: recent days, some late, some missing (issue 5 demo).

Called by the demo loader after the centres exist::

    from chihuy.reports.demo import seed_demo_reports
    seed_demo_reports(province, days=14)

Everything goes through the services, bottom-up each day: the communes file, each
district files what its communes rolled up to, and the province files its own. The
figures are invented but deterministic for a given province.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from chihuy.centres.models import Centre
from chihuy.core.actor import acting_as
from chihuy.reports.models import DailyReport
from chihuy.reports.selectors import expected_children, rollup
from chihuy.reports.services import report_submit

SITUATIONS = [
    "Tình hình dịch cơ bản được kiểm soát; các ca mắc mới đều trong khu cách ly.",
    "Ghi nhận ca mắc mới ngoài cộng đồng; đã khoanh vùng, truy vết các trường hợp tiếp xúc gần.",
    "Tiếp tục tiêm vắc xin cho người trên 18 tuổi; không có phản ứng nặng sau tiêm.",
]
DIFFICULTIES = ["", "", "Thiếu sinh phẩm xét nghiệm nhanh.", "Lực lượng tại chốt kiểm soát mỏng."]
RECOMMENDATIONS = [
    "",
    "",
    "Đề nghị cấp trên bổ sung 500 bộ test nhanh.",
    "Đề nghị tăng cường lực lượng y tế.",
]


def _local(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _figures(rng: random.Random, cumulative: int) -> dict[str, int]:
    new = rng.choice([0, 0, 1, 1, 2, 3, 5, 8])
    beds = rng.choice([10, 15, 20, 30])
    in_treatment = rng.randint(0, beds)
    return {
        "new_cases": new,
        "cumulative_cases": cumulative + new,
        "tests_done": rng.randint(40, 400),
        "positives": new + rng.randint(0, 2),
        "vaccine_dose1": rng.randint(0, 120),
        "vaccine_dose2": rng.randint(0, 100),
        "vaccine_dose3": rng.randint(0, 60),
        "isolated_home": rng.randint(0, 40),
        "isolated_facility": rng.randint(0, 15),
        "in_treatment": in_treatment,
        "recovered": rng.randint(0, 3),
        "deaths": 1 if rng.random() < 0.02 else 0,
        "beds_total": beds,
        "beds_occupied": in_treatment,
        "oxygen": rng.randint(5, 40),
        "icu_beds": rng.choice([0, 0, 2, 4]),
    }


def _when(rng: random.Random, day: dt.date, now: dt.datetime) -> dt.datetime | None:
    """When a centre files for ``day``: mostly before 17:00, some late, some never."""
    roll = rng.random()
    if roll < 0.1:
        return None
    if roll < 0.3:
        at = _local(day, 17, 0) + dt.timedelta(minutes=rng.randint(5, 170))
    else:
        at = _local(day, rng.randint(9, 16), rng.randint(0, 59))
    return at if at <= now else None


def _file(
    centre: Centre, day: dt.date, at: dt.datetime, figures: dict[str, Any], texts: dict[str, str]
) -> None:
    if DailyReport.objects.filter(centre=centre, date=day).exists():
        return
    report_submit(centre=centre, day=day, figures=figures, texts=texts, now=at)


@transaction.atomic
def seed_demo_reports(province: Centre, days: int = 14) -> int:
    """File ``days`` days of reports up to today in ``province``'s subtree; returns how many were filed.

    Safe to call again: a centre that already has a report for a day is left alone.
    """
    rng = random.Random(province.pk * 7919 + days)
    now = timezone.now()
    today = timezone.localdate()
    before = DailyReport.objects.filter(centre_path__startswith=province.path).count()
    cumulative: dict[int, int] = {}
    with acting_as(None):
        for offset in range(days - 1, -1, -1):
            day = today - dt.timedelta(days=offset)
            _file_level(province, day, now, rng, cumulative)
    return DailyReport.objects.filter(centre_path__startswith=province.path).count() - before


def _file_level(
    centre: Centre, day: dt.date, now: dt.datetime, rng: random.Random, cumulative: dict[int, int]
) -> None:
    """Children first (depth first), then ``centre`` itself from their roll-up."""
    children = expected_children(centre=centre, day=day)
    for child in children:
        _file_level(child, day, now, rng, cumulative)
    if centre.parent_id is None and day == timezone.localdate(now):
        return  # the province files today's report itself, in the demo
    if centre.activated_on is not None and day < centre.activated_on:
        return
    at = _when(rng, day, now)
    if at is None:
        return
    if children:
        roll = rollup(centre=centre, day=day)
        if not roll.reports:
            return
        figures = {k: v for k, v in roll.figures.items() if v is not None}
        texts = {
            **roll.texts,
            "recommendations": roll.texts["recommendations"] or rng.choice(RECOMMENDATIONS),
        }
    else:
        base = cumulative.get(centre.pk, rng.randint(20, 200))
        figures = _figures(rng, base)
        cumulative[centre.pk] = figures["cumulative_cases"]
        texts = {
            "situation": rng.choice(SITUATIONS),
            "difficulties": rng.choice(DIFFICULTIES),
            "recommendations": rng.choice(RECOMMENDATIONS),
        }
    _file(centre, day, at, figures, texts)
