"""Reads of the daily reports: roll-up, completeness and trends (R12, R18), live from the tables.

Nothing here is precomputed by a nightly job. Figures come from aggregate queries over a
centre's direct children's reports (``parent``, ``date`` index). Completeness counts the
centres that owe a report (a prefix of the materialised path) against ``ReportTally``, the
per-(ancestor, day, child) counters that ``report_submit`` updates in the same transaction
as the report, so they are as live as the reports themselves. Callers pass a centre they
fetched through the permission layer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Count, F, Func, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.centres.choices import CentreStatus
from chihuy.centres.models import Centre
from chihuy.reports.access import ReportAction, access_report
from chihuy.reports.choices import FILED_STATES, DayStatus, RollupRule
from chihuy.reports.indicators import BY_CODE, CODES, KEY, STANDARD
from chihuy.reports.models import ClosedDay, DailyReport, ReportImport, ReportTally, day_status
from chihuy.reports.services import TEXT_FIELDS, template_for, template_indicators

# --- who owes a report ---------------------------------------------------------------------


def owes_q(day: dt.date, prefix: str = "") -> Q:
    """Q on Centre: the centre owes its parent a report for ``day`` (active that day)."""
    p = prefix
    return (Q(**{f"{p}status": CentreStatus.ACTIVE}) & Q(**{f"{p}activated_on__isnull": True})) | (
        Q(**{f"{p}status__in": [CentreStatus.ACTIVE, CentreStatus.DISSOLVED]})
        & Q(**{f"{p}activated_on__lte": day})
        & (Q(**{f"{p}dissolved_on__isnull": True}) | Q(**{f"{p}dissolved_on__gt": day}))
    )


def days_owed(
    status: str, activated_on: dt.date | None, dissolved_on: dt.date | None, start: dt.date, end: dt.date
) -> int:
    """How many days of [start, end] a centre with these dates owes a report (same rule as ``owes_q``)."""
    if status not in (CentreStatus.ACTIVE, CentreStatus.DISSOLVED):
        return 0
    if activated_on is None:
        if status != CentreStatus.ACTIVE:
            return 0
        first = start
    else:
        first = max(start, activated_on)
    last = end if dissolved_on is None else min(end, dissolved_on - dt.timedelta(days=1))
    return max(0, (last - first).days + 1)


def expected_children(*, centre: Centre, day: dt.date) -> list[Centre]:
    """The direct children that owe ``centre`` a report for ``day``, by name."""
    return list(
        Centre.objects.filter(owes_q(day), parent=centre).select_related("jurisdiction").order_by("name")
    )


# --- completeness ----------------------------------------------------------------------------


@dataclass
class Rate:
    expected: int = 0
    filed: int = 0
    on_time: int = 0

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.filed)

    @property
    def completeness(self) -> float | None:
        return round(100 * min(self.filed, self.expected) / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        """On-time reports as a share of those owed: a missing report is not on time."""
        return round(100 * min(self.on_time, self.expected) / self.expected, 1) if self.expected else None

    def add(self, other: Rate) -> None:
        self.expected += other.expected
        self.filed += other.filed
        self.on_time += other.on_time

    def as_dict(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "filed": self.filed,
            "on_time": self.on_time,
            "missing": self.missing,
            "completeness_pct": self.completeness,
            "on_time_pct": self.on_time_rate,
        }


@dataclass(frozen=True)
class CentreRef:
    """The few facts of a child centre a completeness row shows (no model instance: cheap in bulk)."""

    pk: int
    name: str
    short_code: str

    @property
    def id(self) -> int:
        return self.pk


@dataclass
class ChildRate:
    centre: CentreRef
    subtree: Rate  # the child and everything below it
    status: DayStatus | None = None  # the child's own report, when one day is asked
    report_id: int | None = None
    submitted_at: dt.datetime | None = None
    owes: bool = True

    @property
    def status_colour(self) -> str:
        return self.status.colour if self.status is not None else "grey"


@dataclass
class Completeness:
    centre: Centre
    date_from: dt.date
    date_to: dt.date
    pooled: Rate = field(default_factory=Rate)
    children: list[ChildRate] = field(default_factory=list)

    @property
    def single_day(self) -> bool:
        return self.date_from == self.date_to

    @property
    def missing_children(self) -> list[ChildRate]:
        return [c for c in self.children if c.owes and c.status == DayStatus.MISSING]

    def as_dict(self) -> dict[str, Any]:
        return {
            "centre": {"id": self.centre.pk, "name": self.centre.name, "short_code": self.centre.short_code},
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "pooled": self.pooled.as_dict(),
            "children": [
                {
                    "centre": {"id": c.centre.pk, "name": c.centre.name, "short_code": c.centre.short_code},
                    "status": str(c.status.value) if c.status is not None else None,
                    "report": c.report_id,
                    "submitted_at": c.submitted_at.isoformat() if c.submitted_at else None,
                    **c.subtree.as_dict(),
                }
                for c in self.children
            ],
        }


class ChildSegment(Func):
    """The id of the child of ``prefix`` on a materialised path ("/1/5/12/" → "5" under "/1/").

    PostgreSQL's ``split_part`` is a single cheap call per row; elsewhere the same value
    comes from ``substr`` and ``instr``. ``start`` is an int computed here, never user text.
    """

    arity = 1
    output_field = CharField()

    def __init__(self, expression: Any, *, prefix: str) -> None:
        self.start = len(prefix) + 1
        super().__init__(expression)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        n = int(self.start)
        template = f"SUBSTR(SUBSTR(%(expressions)s, {n}), 1, INSTR(SUBSTR(%(expressions)s, {n}), '/') - 1)"
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = f"SPLIT_PART(SUBSTR(%(expressions)s, {int(self.start)}), '/', 1)"
        return super().as_sql(compiler, connection, template=template, **extra)


def _child_segment(prefix: str, column: str) -> Any:
    return ChildSegment(F(column), prefix=prefix)


def completeness(*, centre: Centre, date_from: dt.date, date_to: dt.date | None = None) -> Completeness:
    """Completeness and timeliness below ``centre`` for a day or a range (issue 5 §4).

    Pooled over every reporting centre of the subtree, and for each direct child over
    the child's own subtree; for one day, also each child's own status. Three queries
    whatever the size of the subtree: the owing centres grouped by child and activity
    dates, the filed reports grouped by child, and the children with their own reports.
    """
    date_to = date_to or date_from
    prefix = centre.path
    result = Completeness(centre=centre, date_from=date_from, date_to=date_to)

    owing = (
        Centre.objects.filter(
            path__startswith=prefix, status__in=[CentreStatus.ACTIVE, CentreStatus.DISSOLVED]
        )
        .exclude(pk=centre.pk)
        .annotate(child=_child_segment(prefix, "path"))
        .values_list("child", "status", "activated_on", "dissolved_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    rates: dict[int, Rate] = defaultdict(Rate)
    for child, status, activated_on, dissolved_on, n in owing:
        rates[int(child)].expected += n * days_owed(status, activated_on, dissolved_on, date_from, date_to)

    filed = (
        ReportTally.objects.filter(ancestor=centre, date__gte=date_from, date__lte=date_to)
        .values_list("child_id")
        .annotate(filed=Sum("filed"), on_time=Sum("on_time"))
        .order_by()
    )
    for child, n_filed, n_on_time in filed:
        rate = rates[child]
        rate.filed += n_filed
        rate.on_time += n_on_time

    own: dict[int, tuple[int, str, bool | None, dt.datetime | None]] = {}
    owing_now: set[int] = set()
    children = [
        CentreRef(pk=pk, name=name, short_code=code)
        for pk, name, code in Centre.objects.filter(parent=centre)
        .order_by("name")
        .values_list("pk", "name", "short_code")
    ]
    if result.single_day:
        own = {
            centre_id: (pk, state, on_time, submitted_at)
            for pk, centre_id, state, on_time, submitted_at in DailyReport.objects.filter(
                parent=centre, date=date_from
            ).values_list("pk", "centre_id", "state", "on_time", "submitted_at")
        }
        owing_now = set(Centre.objects.filter(owes_q(date_from), parent=centre).values_list("pk", flat=True))
    for child in children:
        rate = rates.get(child.pk, Rate())
        row = ChildRate(centre=child, subtree=rate)
        if result.single_day:
            report_id, state, on_time, submitted_at = own.get(child.pk, (None, None, None, None))
            row.owes = child.pk in owing_now
            row.status = day_status(state, on_time)
            row.report_id = report_id
            row.submitted_at = submitted_at
        if rate.expected or rate.filed or (result.single_day and (row.owes or row.report_id)):
            result.children.append(row)
        result.pooled.add(rate)
    return result


def completeness_by_day(
    *, centre: Centre, date_from: dt.date, date_to: dt.date
) -> list[tuple[dt.date, Rate]]:
    """Pooled completeness of the subtree for each day of a range (dashboard trend)."""
    prefix = centre.path
    owing = list(
        Centre.objects.filter(
            path__startswith=prefix, status__in=[CentreStatus.ACTIVE, CentreStatus.DISSOLVED]
        )
        .exclude(pk=centre.pk)
        .values_list("status", "activated_on", "dissolved_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    filed = {
        day: (n, on_time)
        for day, n, on_time in ReportTally.objects.filter(
            ancestor=centre, date__gte=date_from, date__lte=date_to
        )
        .values_list("date")
        .annotate(n=Sum("filed"), on_time=Sum("on_time"))
        .order_by()
    }
    out = []
    day = date_from
    while day <= date_to:
        expected = sum(n * days_owed(s, a, d, day, day) for s, a, d, n in owing)
        n, on_time = filed.get(day, (0, 0))
        out.append((day, Rate(expected=expected, filed=n, on_time=on_time)))
        day += dt.timedelta(days=1)
    return out


# --- roll-up ---------------------------------------------------------------------------------


@dataclass
class Rollup:
    """What the children filed for one day, added up by rule, with their texts compiled (issue 5 §4)."""

    centre: Centre
    day: dt.date
    figures: dict[str, int | None]
    extras: dict[str, int | None]
    texts: dict[str, str]
    reports: list[DailyReport]
    missing: list[Centre]

    @property
    def has_children(self) -> bool:
        return bool(self.reports or self.missing)


def _add(a: int | None, b: int | None) -> int | None:
    if b is None:
        return a
    return b if a is None else a + b


def rollup(*, centre: Centre, day: dt.date) -> Rollup:
    """The children's filed reports for ``day``: every figure added across children, texts by child."""
    reports = list(
        DailyReport.objects.filter(parent=centre, date=day, state__in=FILED_STATES)
        .select_related("centre")
        .prefetch_related("extra_values")
        .order_by("centre__name")
    )
    figures: dict[str, int | None] = dict.fromkeys(CODES)
    extras: dict[str, int | None] = {}
    for r in reports:
        for code in CODES:
            figures[code] = _add(figures[code], getattr(r, code))
        for ev in r.extra_values.all():
            extras[ev.code] = _add(extras.get(ev.code), ev.value)
    texts = {}
    for name in TEXT_FIELDS:
        parts = [
            f"- {r.centre.name}: {getattr(r, name).strip()}" for r in reports if getattr(r, name).strip()
        ]
        texts[name] = "\n".join(parts)
    filed_ids = {r.centre_id for r in reports}
    missing = [c for c in expected_children(centre=centre, day=day) if c.pk not in filed_ids]
    return Rollup(
        centre=centre, day=day, figures=figures, extras=extras, texts=texts, reports=reports, missing=missing
    )


# --- figures over time -----------------------------------------------------------------------


def has_children(centre: Centre) -> bool:
    return Centre.objects.filter(parent=centre).exists()


def indicator_series(
    *, centre: Centre, date_from: dt.date, date_to: dt.date, children: bool | None = None
) -> dict[dt.date, dict[str, int | None]]:
    """Figures of ``centre`` for each day of a range, live.

    A centre with children: its children's filed reports added up per day (what its own
    report would be pre-filled with). A centre without: its own filed reports.
    """
    if children is None:
        children = has_children(centre)
    qs = DailyReport.objects.filter(date__gte=date_from, date__lte=date_to, state__in=FILED_STATES)
    qs = qs.filter(parent=centre) if children else qs.filter(centre=centre)
    rows = qs.values("date").annotate(**{f"s_{c}": Sum(c) for c in CODES}).order_by("date")
    return {row["date"]: {c: row[f"s_{c}"] for c in CODES} for row in rows}  # type: ignore[literal-required]


@dataclass
class Trend:
    code: str
    label: Any
    unit: Any
    rule: str
    today: int | None
    last7: int | None
    prev7: int | None
    last30: int | None

    @property
    def change_pct(self) -> float | None:
        if self.last7 is None or not self.prev7:
            return None
        return round(100 * (self.last7 - self.prev7) / self.prev7, 1)

    @property
    def direction(self) -> str:
        pct = self.change_pct
        if pct is None or pct == 0:
            return "flat"
        return "up" if pct > 0 else "down"


def _over(
    series: dict[dt.date, dict[str, int | None]], code: str, rule: str, start: dt.date, end: dt.date
) -> int | None:
    """A figure over [start, end]: flows added up, stocks at their latest reported day."""
    values = [(d, v[code]) for d, v in series.items() if start <= d <= end and v.get(code) is not None]
    if not values:
        return None
    if rule == RollupRule.SUM:
        return sum(v for _d, v in values if v is not None)
    return max(values, key=lambda x: x[0])[1]


def trends(*, series: dict[dt.date, dict[str, int | None]], today: dt.date) -> list[Trend]:
    """Key indicators today, over the last 7 days against the 7 before, and over 30 days."""
    out = []
    for ind in KEY:
        out.append(
            Trend(
                code=ind.code,
                label=ind.label,
                unit=ind.unit,
                rule=ind.rule,
                today=_over(series, ind.code, ind.rule, today, today),
                last7=_over(series, ind.code, ind.rule, today - dt.timedelta(days=6), today),
                prev7=_over(
                    series, ind.code, ind.rule, today - dt.timedelta(days=13), today - dt.timedelta(days=7)
                ),
                last30=_over(series, ind.code, ind.rule, today - dt.timedelta(days=29), today),
            )
        )
    return out


@dataclass
class ChildTotals:
    centre_id: int
    figures: dict[str, int | None]
    days: int


def child_totals(*, centre: Centre, date_from: dt.date, date_to: dt.date) -> dict[int, ChildTotals]:
    """Each direct child's figures over a range by rule: flows added up, stocks as last reported.

    One query over the children's filed reports (``parent``, ``date`` index).
    """
    rows = (
        DailyReport.objects.filter(
            parent=centre, date__gte=date_from, date__lte=date_to, state__in=FILED_STATES
        )
        .values_list("centre_id", "date", *CODES)
        .order_by("centre_id", "date")
    )
    out: dict[int, ChildTotals] = {}
    for centre_id, _day, *values in rows:
        totals = out.get(centre_id)
        if totals is None:
            totals = out[centre_id] = ChildTotals(centre_id=centre_id, figures=dict.fromkeys(CODES), days=0)
        totals.days += 1
        for ind, value in zip(STANDARD, values, strict=True):
            if value is None:
                continue
            if ind.is_flow:
                totals.figures[ind.code] = _add(totals.figures[ind.code], value)
            else:  # rows come in date order: the last one seen is the latest
                totals.figures[ind.code] = value
    return out


def epidemic_curves(*, centre: Centre, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """New cases per day for the centre and for each child, for the chart (issue 5 §5)."""
    days = [date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    index = {d: i for i, d in enumerate(days)}
    children = {c.pk: c.name for c in Centre.objects.filter(parent=centre).only("id", "name")}
    per_child: dict[int, list[int | None]] = {pk: [None] * len(days) for pk in children}
    total: list[int | None] = [None] * len(days)
    if children:
        rows = DailyReport.objects.filter(
            parent=centre, date__gte=date_from, date__lte=date_to, state__in=FILED_STATES
        ).values_list("centre_id", "date", "new_cases")
    else:
        rows = DailyReport.objects.filter(
            centre=centre, date__gte=date_from, date__lte=date_to, state__in=FILED_STATES
        ).values_list("centre_id", "date", "new_cases")
    for centre_id, day, value in rows:
        i = index[day]
        if centre_id in per_child:
            per_child[centre_id][i] = value
        total[i] = _add(total[i], value)
    series = [{"name": centre.name, "data": total}]
    for pk, name in sorted(children.items(), key=lambda x: x[1]):
        series.append({"name": name, "data": per_child[pk]})
    return {"labels": [f"{d:%d/%m}" for d in days], "series": series}


# --- reports ---------------------------------------------------------------------------------


def _base() -> QuerySet[DailyReport]:
    return DailyReport.objects.select_related(
        "centre", "centre__jurisdiction", "parent", "template", "submitted_by"
    )


def report_get(*, user: Any, pk: Any, action: ReportAction = ReportAction.VIEW) -> DailyReport:
    """One report: 404 when the user may not see it, 403 when his role may not do ``action``."""
    return access_report(user, _base(), pk, action)


def report_for_day(*, centre: Centre, day: dt.date) -> DailyReport | None:
    return _base().filter(centre=centre, date=day).first()


def report_list(
    *,
    user: Any,
    centre: Centre,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    below: bool = False,
) -> QuerySet[DailyReport]:
    """Reports of ``centre`` (or, with ``below``, of its direct children) the user may see."""
    qs = _base().visible_to(user)  # type: ignore[attr-defined]
    qs = qs.filter(parent=centre) if below else qs.filter(centre=centre)
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    return qs.prefetch_related("extra_values").order_by("-date", "centre__name")


def report_extra_rows(report: DailyReport) -> list[tuple[Any, Any, int | None]]:
    """(label, unit, value) of the province's added indicators on this report's template version."""
    values = {ev.code: ev.value for ev in report.extra_values.all()}
    return [
        (i.label, i.unit, values.get(i.code))
        for i in template_indicators(template=report.template, level=report.centre.level)
    ]


def figure_rows(values: dict[str, int | None]) -> list[tuple[Any, Any, int | None]]:
    return [(BY_CODE[c].label, BY_CODE[c].unit, values.get(c)) for c in CODES]


def closed_days(*, centre: Centre, days: Iterable[dt.date]) -> set[dt.date]:
    return set(ClosedDay.objects.filter(centre=centre, date__in=list(days)).values_list("date", flat=True))


def import_get(*, user: Any, pk: Any) -> ReportImport:
    from chihuy.centres.access import Action, access_scoped

    return access_scoped(user, ReportImport.objects.select_related("centre"), pk, Action.VIEW)


def current_template_indicators(*, centre: Centre) -> list[Any]:
    return template_indicators(template=template_for(centre=centre), level=centre.level)


def today() -> dt.date:
    return timezone.localdate()


def status_label(status: DayStatus | None) -> str:
    return str(status.label) if status is not None else _("Không phải nộp")


# --- for the daily briefing's agenda (R3, R8) -------------------------------------------------------


def _filed_children_reports(*, centre: Centre, day: dt.date) -> QuerySet[DailyReport]:
    return (
        DailyReport.objects.filter(parent=centre, date=day, state__in=FILED_STATES)
        .select_related("centre")
        .order_by("centre__name")
    )


def reports_missing(*, centre: Centre, day: dt.date) -> list[Centre]:
    """The direct children that owe ``centre`` a report for ``day`` and have not filed it."""
    filed = set(_filed_children_reports(centre=centre, day=day).values_list("centre_id", flat=True))
    return [c for c in expected_children(centre=centre, day=day) if c.pk not in filed]


def reports_late(*, centre: Centre, day: dt.date) -> list[Centre]:
    """The direct children whose report for ``day`` came in after the deadline."""
    return [r.centre for r in _filed_children_reports(centre=centre, day=day).filter(on_time=False)]


def report_texts_for_briefing(*, centre: Centre, day: dt.date) -> list[tuple[Centre, str, str]]:
    """(child, difficulties, recommendations) of the children's reports for ``day`` that raise any."""
    rows = _filed_children_reports(centre=centre, day=day).exclude(difficulties="", recommendations="")
    return [(r.centre, r.difficulties.strip(), r.recommendations.strip()) for r in rows]
