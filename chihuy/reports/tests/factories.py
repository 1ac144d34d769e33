"""Report test data. Filed reports go through the services so timeliness and versions are real."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from chihuy.reports.choices import ReportState
from chihuy.reports.indicators import CODES
from chihuy.reports.models import DailyReport
from chihuy.reports.services import report_submit, report_tally_add

TZ = timezone.get_fixed_timezone(7 * 60)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def figures(**overrides: Any) -> dict[str, int | None]:
    base = {
        "new_cases": 3,
        "cumulative_cases": 120,
        "tests_done": 200,
        "positives": 4,
        "vaccine_dose1": 50,
        "vaccine_dose2": 40,
        "vaccine_dose3": 30,
        "isolated_home": 12,
        "isolated_facility": 5,
        "in_treatment": 9,
        "recovered": 2,
        "deaths": 0,
        "beds_total": 20,
        "beds_occupied": 9,
        "oxygen": 15,
        "icu_beds": 2,
    }
    base.update(overrides)
    return base


def submit(
    centre: Any, day: dt.date, at: dt.datetime | None = None, user: Any = None, **kw: Any
) -> DailyReport:
    """Submit a report for ``centre`` and ``day`` at ``at`` (default 15:00 that day)."""
    texts = kw.pop("texts", {"situation": f"Tình hình ổn định tại {centre.name}"})
    return report_submit(
        centre=centre,
        day=day,
        figures=figures(**kw),
        texts=texts,
        user=user,
        now=at or local(day, 15),
    )


class DailyReportFactory(factory.django.DjangoModelFactory):
    """A filed report written straight to the table (for read-side tests that need many)."""

    class Meta:
        model = DailyReport

    centre = None
    parent = factory.LazyAttribute(lambda r: r.centre.parent)
    centre_path = factory.LazyAttribute(lambda r: r.centre.path)
    date = factory.LazyFunction(timezone.localdate)
    state = ReportState.SUBMITTED
    on_time = True
    version = 1
    submitted_at = factory.LazyAttribute(lambda r: local(r.date, 15))

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        for code in CODES:
            kwargs.setdefault(code, figures().get(code))
        report = super()._create(model_class, *args, **kwargs)
        if report.is_filed:  # the completeness counters, as report_submit keeps them
            report_tally_add(report=report)
        return report
