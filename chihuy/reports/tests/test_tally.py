"""The completeness counters (``ReportTally``) stay equal to a count of the filed reports."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import pairwise

import pytest
from django.db import transaction

from chihuy.reports import selectors, services
from chihuy.reports.models import DailyReport, ReportTally
from chihuy.reports.tests.factories import figures, local, submit

pytestmark = pytest.mark.django_db


def _tallies() -> dict[tuple[int, int, dt.date], tuple[int, int]]:
    return {(t.ancestor_id, t.child_id, t.date): (t.filed, t.on_time) for t in ReportTally.objects.all()}


def _counted_from_reports() -> dict[tuple[int, int, dt.date], tuple[int, int]]:
    """The same counters computed the slow way: every filed report, every ancestor on its path."""
    filed: Counter[tuple[int, int, dt.date]] = Counter()
    on_time: Counter[tuple[int, int, dt.date]] = Counter()
    for report in DailyReport.objects.filed():
        ids = [int(p) for p in report.centre_path.strip("/").split("/")]
        for ancestor, child in pairwise(ids):
            filed[(ancestor, child, report.date)] += 1
            on_time[(ancestor, child, report.date)] += 1 if report.on_time else 0
    return {key: (n, on_time[key]) for key, n in filed.items()}


def test_submit_counts_the_report_for_every_ancestor(world, today):
    submit(world.commune, today, at=local(today, 16))
    assert _tallies() == {
        (world.district.pk, world.commune.pk, today): (1, 1),
        (world.province.pk, world.district.pk, today): (1, 1),
    }
    submit(world.sibling, today, at=local(today, 18))  # late
    submit(world.district, today, at=local(today, 16, 30))
    assert _tallies() == {
        (world.district.pk, world.commune.pk, today): (1, 1),
        (world.district.pk, world.sibling.pk, today): (1, 0),
        (world.province.pk, world.district.pk, today): (3, 2),
    }
    assert _tallies() == _counted_from_reports()


def test_drafts_and_amendments_do_not_count_twice(world, today):
    services.report_save_draft(centre=world.commune, day=today, figures=figures())
    assert not ReportTally.objects.exists()
    report = submit(world.commune, today)
    services.report_amend(report=report, figures=figures(new_cases=9), reason="Nhập nhầm")
    assert _tallies()[(world.district.pk, world.commune.pk, today)] == (1, 1)
    assert _tallies() == _counted_from_reports()


def test_a_rolled_back_submission_leaves_no_count(world, today):
    with pytest.raises(RuntimeError), transaction.atomic():
        submit(world.commune, today)
        raise RuntimeError("the request failed after the report was written")
    assert not ReportTally.objects.exists() and not DailyReport.objects.exists()


def test_rebuild_recomputes_reports_loaded_in_bulk(world, today):
    """Reports written straight to the table (a restored dump, the bench's COPY) are counted by a rebuild."""
    submit(world.commune, today - dt.timedelta(days=1), at=local(today - dt.timedelta(days=1), 18))
    DailyReport.objects.bulk_create(
        DailyReport(
            centre=c,
            parent=c.parent,
            centre_path=c.path,
            date=today,
            state="submitted",
            on_time=on_time,
            version=1,
        )
        for c, on_time in ((world.commune, True), (world.sibling, False), (world.district, True))
    )
    DailyReport.objects.create(
        centre=world.province, parent=None, centre_path=world.province.path, date=today, state="draft"
    )
    ReportTally.objects.create(ancestor=world.province, child=world.district, date=today, filed=99)  # stale
    written = services.report_tally_rebuild()
    assert written == 6 and len(_tallies()) == 5  # (province, district, today) comes from two levels
    assert _tallies() == _counted_from_reports()
    rate = selectors.completeness(
        centre=world.province, date_from=today - dt.timedelta(days=1), date_to=today
    )
    assert (rate.pooled.filed, rate.pooled.on_time) == (4, 2)


def test_completeness_by_day_reads_the_counters(world, today):
    yesterday = today - dt.timedelta(days=1)
    submit(world.commune, yesterday, at=local(yesterday, 18))
    submit(world.commune, today)
    submit(world.sibling, today)
    days = dict(selectors.completeness_by_day(centre=world.district, date_from=yesterday, date_to=today))
    assert (days[yesterday].filed, days[yesterday].on_time, days[yesterday].expected) == (1, 0, 2)
    assert (days[today].filed, days[today].on_time, days[today].completeness) == (2, 2, 100.0)
