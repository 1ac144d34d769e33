from __future__ import annotations

import datetime as dt

import pytest

from chihuy.centres.choices import CentreLevel, CentreStatus
from chihuy.core.testing.factories import CentreFactory, JurisdictionFactory
from chihuy.jurisdictions.choices import Level
from chihuy.reports import selectors, services
from chihuy.reports.choices import DayStatus
from chihuy.reports.tests.factories import DailyReportFactory, local, submit

pytestmark = pytest.mark.django_db


def test_completeness_one_day_pooled_and_per_child(world, today):
    submit(world.commune, today, at=local(today, 16))
    submit(world.district, today, at=local(today, 17, 30))
    rate = selectors.completeness(centre=world.province, date_from=today)
    # Owed to someone below the province: the district, its two communes.
    assert rate.pooled.as_dict() == {
        "expected": 3,
        "filed": 2,
        "on_time": 1,
        "missing": 1,
        "completeness_pct": 66.7,
        "on_time_pct": 33.3,
    }
    (district,) = rate.children
    assert district.centre.pk == world.district.pk and district.status == DayStatus.LATE
    assert (district.subtree.expected, district.subtree.filed) == (3, 2)

    at_district = selectors.completeness(centre=world.district, date_from=today)
    statuses = {c.centre.short_code: c.status for c in at_district.children}
    assert statuses == {"TS": DayStatus.ON_TIME, "LB": DayStatus.MISSING}
    assert [c.centre.pk for c in at_district.missing_children] == [world.sibling.pk]


def test_completeness_over_a_range_counts_activity_days(world, today):
    start = today - dt.timedelta(days=9)
    world.sibling.activated_on = today - dt.timedelta(days=4)  # owes 5 of the 10 days
    world.sibling.save()
    for i in range(10):
        submit(
            world.commune,
            start + dt.timedelta(days=i),
            at=local(start + dt.timedelta(days=i), 18 if i < 3 else 9),
        )
    rate = selectors.completeness(centre=world.district, date_from=start, date_to=today)
    assert rate.pooled.expected == 15
    assert (rate.pooled.filed, rate.pooled.on_time) == (10, 7)
    per_child = {c.centre.short_code: c.subtree for c in rate.children}
    assert per_child["TS"].completeness == 100.0 and per_child["TS"].on_time_rate == 70.0
    assert per_child["LB"].expected == 5 and per_child["LB"].completeness == 0.0


def test_dissolved_and_not_yet_active_children_owe_nothing(world, today):
    world.sibling.status = CentreStatus.PROPOSED
    world.sibling.save()
    rate = selectors.completeness(centre=world.district, date_from=today)
    assert rate.pooled.expected == 1
    assert [c.centre.pk for c in rate.children] == [world.commune.pk]


def test_rollup_adds_figures_and_compiles_texts(world, today):
    submit(
        world.commune,
        today,
        new_cases=3,
        in_treatment=9,
        texts={"situation": "Ổn định", "difficulties": "Thiếu oxy"},
    )
    submit(
        world.sibling,
        today,
        new_cases=4,
        in_treatment=1,
        beds_total=None,
        beds_occupied=None,
        texts={"situation": "Có ổ dịch mới"},
    )
    roll = selectors.rollup(centre=world.district, day=today)
    assert roll.figures["new_cases"] == 7 and roll.figures["in_treatment"] == 10
    assert roll.figures["beds_total"] == 20  # only one commune reported beds
    assert roll.texts["situation"] == (
        "- Trung tâm chỉ huy phường Liên Bảo: Có ổ dịch mới\n- Trung tâm chỉ huy phường Tích Sơn: Ổn định"
    )
    assert roll.texts["difficulties"] == "- Trung tâm chỉ huy phường Tích Sơn: Thiếu oxy"
    assert roll.missing == []


def test_rollup_lists_missing_children(world, today):
    submit(world.commune, today)
    roll = selectors.rollup(centre=world.district, day=today)
    assert [c.pk for c in roll.missing] == [world.sibling.pk]


def test_two_tier_province_rolls_up_communes_directly(db, today):
    province = CentreFactory(
        level=CentreLevel.PROVINCE, jurisdiction=JurisdictionFactory(level=Level.PROVINCE)
    )
    communes = [
        CentreFactory(level=CentreLevel.COMMUNE, parent=province, jurisdiction=JurisdictionFactory())
        for _ in range(3)
    ]
    for i, c in enumerate(communes):
        submit(c, today, new_cases=i + 1)
    assert selectors.rollup(centre=province, day=today).figures["new_cases"] == 6
    assert selectors.completeness(centre=province, date_from=today).pooled.completeness == 100.0


def test_forward_post_rolls_up_its_region(world, today):
    forward = CentreFactory(level=CentreLevel.FORWARD, parent=world.province, jurisdiction=None)
    commune = CentreFactory(level=CentreLevel.COMMUNE, parent=forward, jurisdiction=JurisdictionFactory())
    submit(commune, today, new_cases=11)
    assert selectors.rollup(centre=forward, day=today).figures["new_cases"] == 11
    at_province = selectors.completeness(centre=world.province, date_from=today)
    assert {c.centre.pk for c in at_province.children} == {world.district.pk, forward.pk}


def test_series_trends_and_child_totals_follow_the_rules(world, today):
    for i in range(14):
        day = today - dt.timedelta(days=13 - i)
        DailyReportFactory(centre=world.commune, date=day, new_cases=i, in_treatment=100 + i)
        DailyReportFactory(centre=world.sibling, date=day, new_cases=1, in_treatment=10)
    series = selectors.indicator_series(
        centre=world.district, date_from=today - dt.timedelta(days=29), date_to=today
    )
    assert series[today]["new_cases"] == 14 and series[today]["in_treatment"] == 123
    trends = {t.code: t for t in selectors.trends(series=series, today=today)}
    assert trends["new_cases"].last7 == sum(range(7, 14)) + 7
    assert trends["new_cases"].prev7 == sum(range(7)) + 7
    assert trends["new_cases"].direction == "up"
    assert trends["in_treatment"].last7 == 123  # a stock: its latest value
    totals = selectors.child_totals(
        centre=world.district, date_from=today - dt.timedelta(days=6), date_to=today
    )
    assert totals[world.commune.pk].figures["new_cases"] == sum(range(7, 14))
    assert totals[world.commune.pk].figures["in_treatment"] == 113
    assert totals[world.sibling.pk].days == 7
    curves = selectors.epidemic_curves(
        centre=world.district, date_from=today - dt.timedelta(days=2), date_to=today
    )
    assert curves["series"][0]["data"] == [12, 13, 14]
    assert len(curves["series"]) == 3


def test_leaf_series_uses_its_own_reports(world, today):
    DailyReportFactory(centre=world.commune, date=today, new_cases=5)
    series = selectors.indicator_series(centre=world.commune, date_from=today, date_to=today)
    assert series[today]["new_cases"] == 5


def test_report_list_respects_visibility(world, today):
    submit(world.commune, today)
    submit(world.sibling, today)
    seen = selectors.report_list(user=world.user("commune", "commander"), centre=world.district, below=True)
    assert [r.centre for r in seen] == [world.commune]
    assert services.is_day_closed(parent=world.district, day=today) is False
