"""Benchmark: daily-report roll-up and completeness at national scale, live from the tables.

Seeds PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/chihuy_bench_rollup;
the database is created and migrated here) with the legacy three-tier structure: one national
centre, 63 provinces, 696 districts and 10,051 communes, and 365 days of reports from every
commune (about 3 % missing, 15 % late) rolled up to districts and provinces the way a district
pre-fills its report: sums by ``INSERT … SELECT … GROUP BY`` over the communes' rows.
Communes are written with COPY. A seeded database is reused on the next run
(``BENCH_RESEED=1`` forces a fresh seed).

Then times what the command dashboard really runs (``chihuy.reports.selectors``):
completeness with on-time rate (pooled and per child; the filed counts come from the
``ReportTally`` counters that ``report_submit`` keeps live, rebuilt here once after COPY)
and the indicator totals per child
(``child_totals``), for the nation (per province) and for one province (per district), for
one day and for 30 days. The same numbers are computed by one hand-written GROUP BY per
question over the reports themselves and compared for equality in the same run.

Prints one JSON line: rows, p95_ms (app selectors), sql_p95_ms, ratio, and the details.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chihuy_bench_rollup"
DAYS = 365
LAST_DAY = dt.date(2026, 11, 22)
FIRST_DAY = LAST_DAY - dt.timedelta(days=DAYS - 1)
RUNS = 15


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _setup() -> None:
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench/rollup.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    _ensure_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chihuy.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- seeding -----------------------------------------------------------------------------------


def _centres() -> None:
    """One centre per legacy unit, in bulk, with its materialised path."""
    from django.db import transaction

    from chihuy.centres.choices import CentreLevel, CentreStatus
    from chihuy.centres.models import Centre
    from chihuy.jurisdictions.choices import Level, Structure
    from chihuy.jurisdictions.models import Jurisdiction

    units = list(Jurisdiction.objects.filter(structure=Structure.LEGACY).order_by("level", "code"))
    if not units:
        from chihuy.jurisdictions.services import jurisdictions_load

        _log("loading legacy jurisdictions…")
        jurisdictions_load(structure=Structure.LEGACY)
        units = list(Jurisdiction.objects.filter(structure=Structure.LEGACY).order_by("level", "code"))
    active_from = FIRST_DAY - dt.timedelta(days=30)
    level_of = {
        Level.PROVINCE: CentreLevel.PROVINCE,
        Level.DISTRICT: CentreLevel.DISTRICT,
        Level.COMMUNE: CentreLevel.COMMUNE,
    }
    prefix = {Level.PROVINCE: "P", Level.DISTRICT: "D", Level.COMMUNE: "C"}
    with transaction.atomic():
        # The centres constraint wants a jurisdiction on every centre but a forward post; the
        # national centre is attached to the capital's unit (Hà Nội, code 1).
        capital = next(u for u in units if u.level == Level.PROVINCE and u.code == 1)
        nation = Centre.objects.create(
            name="Ban Chỉ đạo quốc gia (bench)",
            short_code="QG",
            level=CentreLevel.NATIONAL,
            jurisdiction=capital,
            status=CentreStatus.ACTIVE,
            activated_on=active_from,
            path="",
        )
        nation.path = f"/{nation.pk}/"
        Centre.objects.filter(pk=nation.pk).update(path=nation.path)
        by_unit: dict[int, Centre] = {}
        for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
            rows = []
            for u in units:
                if u.level != level:
                    continue
                parent = nation if level == Level.PROVINCE else by_unit[u.parent_id]
                rows.append(
                    Centre(
                        name=f"TTCH {u.name}",
                        short_code=f"{prefix[level]}{u.code}",
                        level=level_of[level],
                        jurisdiction_id=u.pk,
                        parent=parent,
                        status=CentreStatus.ACTIVE,
                        activated_on=active_from,
                        path="",
                    )
                )
            created = Centre.objects.bulk_create(rows, batch_size=2000)
            for c in created:
                c.path = f"{c.parent.path}{c.pk}/"
                by_unit[c.jurisdiction_id] = c
            Centre.objects.bulk_update(created, ["path"], batch_size=2000)
            _log(f"  {len(created)} centres of level {level}")


def _copy_communes() -> int:
    """365 days of every commune's report through COPY: ~3 % missing, ~15 % late."""
    from django.db import connection

    from chihuy.centres.choices import CentreLevel
    from chihuy.centres.models import Centre
    from chihuy.reports.indicators import CODES

    communes = list(
        Centre.objects.filter(level=CentreLevel.COMMUNE).values_list("pk", "parent_id", "path").order_by("pk")
    )
    cols = [
        "centre_id",
        "parent_id",
        "centre_path",
        "date",
        "state",
        "on_time",
        "deadline_at",
        "submitted_at",
        "version",
        "source",
        *CODES,
        "situation",
        "sector_results",
        "difficulties",
        "recommendations",
        "doc_number",
        "doc_recipient",
        "signer_name",
        "signer_title",
        "created_at",
        "updated_at",
    ]
    tz = dt.timezone(dt.timedelta(hours=7))
    n = 0
    days = [FIRST_DAY + dt.timedelta(days=i) for i in range(DAYS)]
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg cursor
        with raw.copy(f"COPY reports_dailyreport ({', '.join(cols)}) FROM STDIN") as copy:
            for di, day in enumerate(days):
                deadline = dt.datetime.combine(day, dt.time(17), tzinfo=tz)
                on_time_at = dt.datetime.combine(day, dt.time(15, 30), tzinfo=tz)
                late_at = dt.datetime.combine(day, dt.time(18, 10), tzinfo=tz)
                for pk, parent_id, path in communes:
                    key = pk * 31 + di * 17
                    if key % 97 < 3:
                        continue  # missing
                    on_time = key % 100 >= 15
                    beds = 10 + key % 21
                    new = key % 7
                    values = (
                        new,
                        100 + di * 3 + pk % 50,
                        50 + key % 300,
                        new + key % 3,
                        key % 60,
                        key % 50,
                        key % 40,
                        key % 35,
                        key % 12,
                        key % 9,
                        key % 4,
                        1 if key % 211 == 0 else 0,
                        beds,
                        key % (beds + 1),
                        5 + key % 30,
                        key % 3,
                    )
                    copy.write_row(
                        (
                            pk,
                            parent_id,
                            path,
                            day,
                            "submitted",
                            on_time,
                            deadline,
                            on_time_at if on_time else late_at,
                            1,
                            "import",
                            *values,
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            deadline,
                            deadline,
                        )
                    )
                    n += 1
                if di % 60 == 0:
                    _log(f"  communes: day {di + 1}/{DAYS}, {n} rows")
    return n


def _rollup_level(level: str) -> int:
    """Each centre of ``level`` files the sum of its children's reports (all on time)."""
    from django.db import connection

    from chihuy.reports.indicators import CODES

    sums = ", ".join(f"SUM(r.{c})" for c in CODES)
    sql = f"""
        INSERT INTO reports_dailyreport (
            centre_id, parent_id, centre_path, date, state, on_time, deadline_at, submitted_at,
            version, source,
            {", ".join(CODES)}, situation, sector_results, difficulties, recommendations,
            doc_number, doc_recipient, signer_name, signer_title, created_at, updated_at)
        SELECT p.id, p.parent_id, p.path, r.date, 'submitted', TRUE,
               (r.date + TIME '17:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
               (r.date + TIME '16:40') AT TIME ZONE 'Asia/Ho_Chi_Minh', 1, 'web',
               {sums}, '', '', '', '', '', '', '', '',
               (r.date + TIME '16:40') AT TIME ZONE 'Asia/Ho_Chi_Minh',
               (r.date + TIME '16:40') AT TIME ZONE 'Asia/Ho_Chi_Minh'
        FROM reports_dailyreport r JOIN centres_centre p ON p.id = r.parent_id
        WHERE p.level = %s
        GROUP BY p.id, p.parent_id, p.path, r.date
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [level])
        return cursor.rowcount


def _seed() -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    # A scratch database: start from no centres and no reports (everything pointing at centres goes too).
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE centres_centre, reports_dailyreport CASCADE")
    _log("creating centres…")
    _centres()
    _log("copying commune reports…")
    with transaction.atomic():
        n = _copy_communes()
        _log(f"  {n} commune rows in {time.perf_counter() - started:.0f}s; rolling up…")
        n += _rollup_level("district")
        n += _rollup_level("province")
        # COPY bypasses report_submit, which keeps the completeness counters: count them once.
        from chihuy.reports.services import report_tally_rebuild

        tally_started = time.perf_counter()
        tallies = report_tally_rebuild()
        _log(f"  {tallies} completeness counters in {time.perf_counter() - tally_started:.0f}s")
    _log("vacuum analyze…")
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_dailyreport")
        cursor.execute("VACUUM ANALYZE centres_centre")
        cursor.execute("VACUUM ANALYZE reports_reporttally")
    return time.perf_counter() - started


def _seeded() -> bool:
    from chihuy.centres.models import Centre
    from chihuy.reports.models import DailyReport

    return (
        Centre.objects.filter(short_code="QG").exists()
        and DailyReport.objects.filter(date=LAST_DAY).count() > 10000
    )


# --- hand-written SQL --------------------------------------------------------------------------

_COMPLETENESS_SQL = """
WITH owed AS (
    SELECT split_part(substr(c.path, %(n)s), '/', 1)::int AS child,
           SUM(GREATEST(0, LEAST(%(end)s::date, COALESCE(c.dissolved_on - 1, %(end)s::date))
                          - GREATEST(%(start)s::date, COALESCE(c.activated_on, %(start)s::date)) + 1))
             AS expected
    FROM centres_centre c
    WHERE c.path LIKE %(like)s AND c.path <> %(root)s
      AND (c.status = 'active' OR (c.status = 'dissolved' AND c.activated_on IS NOT NULL))
    GROUP BY 1),
filed AS (
    SELECT split_part(substr(r.centre_path, %(n)s), '/', 1)::int AS child,
           COUNT(*) AS filed, COUNT(*) FILTER (WHERE r.on_time) AS on_time
    FROM reports_dailyreport r
    WHERE r.date BETWEEN %(start)s AND %(end)s AND r.centre_path LIKE %(like)s AND r.centre_path <> %(root)s
      AND r.state IN ('submitted', 'amended')
    GROUP BY 1)
SELECT COALESCE(o.child, f.child), COALESCE(o.expected, 0), COALESCE(f.filed, 0), COALESCE(f.on_time, 0)
FROM owed o FULL JOIN filed f ON f.child = o.child
"""


def _totals_sql() -> str:
    from chihuy.reports.indicators import STANDARD

    parts = []
    for i in STANDARD:
        if i.is_flow:
            parts.append(f"SUM({i.code})")
        else:
            parts.append(f"(ARRAY_AGG({i.code} ORDER BY date DESC) FILTER (WHERE {i.code} IS NOT NULL))[1]")
    return f"""
        SELECT centre_id, COUNT(*), {", ".join(parts)}
        FROM reports_dailyreport
        WHERE parent_id = %(parent)s
        AND date BETWEEN %(start)s AND %(end)s AND state IN ('submitted', 'amended')
        GROUP BY centre_id
    """


def _sql_answer(centre, start: dt.date, end: dt.date) -> tuple:
    from django.db import connection

    from chihuy.reports.indicators import CODES

    params = {
        "n": len(centre.path) + 1,
        "like": centre.path + "%",
        "root": centre.path,
        "start": start,
        "end": end,
    }
    with connection.cursor() as cursor:
        cursor.execute(_COMPLETENESS_SQL, params)
        per_child = {row[0]: tuple(int(x) for x in row[1:]) for row in cursor.fetchall()}
        cursor.execute(_totals_sql(), {"parent": centre.pk, "start": start, "end": end})
        totals = {row[0]: (row[1], dict(zip(CODES, row[2:], strict=True))) for row in cursor.fetchall()}
    pooled = tuple(sum(v[i] for v in per_child.values()) for i in range(3))
    return pooled, per_child, totals


def _app_answer(centre, start: dt.date, end: dt.date) -> tuple:
    from chihuy.reports.selectors import child_totals, completeness

    rate = completeness(centre=centre, date_from=start, date_to=end)
    totals = child_totals(centre=centre, date_from=start, date_to=end)
    pooled = (rate.pooled.expected, rate.pooled.filed, rate.pooled.on_time)
    per_child = {c.centre.pk: (c.subtree.expected, c.subtree.filed, c.subtree.on_time) for c in rate.children}
    return (
        pooled,
        per_child,
        {
            pk: (t.days, {k: (int(v) if v is not None else None) for k, v in t.figures.items()})
            for pk, t in totals.items()
        },
    )


def _normalise(answer: tuple) -> tuple:
    pooled, per_child, totals = answer
    totals = {
        pk: (days, {k: (int(v) if v is not None else None) for k, v in fig.items()})
        for pk, (days, fig) in totals.items()
    }
    return pooled, {k: v for k, v in per_child.items() if any(v)}, totals


def _time(fn, *args) -> tuple[list[float], object]:
    fn(*args)  # warm-up
    samples = []
    result = None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        result = fn(*args)
        samples.append((time.perf_counter() - t0) * 1000)
    return samples, result


def _p95(samples: list[float]) -> float:
    return round(statistics.quantiles(samples, n=20, method="inclusive")[18], 1)


def main() -> None:
    _setup()
    from chihuy.centres.choices import CentreLevel
    from chihuy.centres.models import Centre
    from chihuy.reports.models import DailyReport

    seed_seconds = None
    if os.environ.get("BENCH_RESEED") == "1" or not _seeded():
        seed_seconds = round(_seed(), 1)
    rows = DailyReport.objects.count()
    nation = Centre.objects.get(short_code="QG")
    # The province with the most communes: the heaviest provincial dashboard.
    province = max(
        Centre.objects.filter(level=CentreLevel.PROVINCE),
        key=lambda p: Centre.objects.filter(path__startswith=p.path).count(),
    )
    scenarios = {
        "national_1d": (nation, LAST_DAY, LAST_DAY),
        "national_30d": (nation, LAST_DAY - dt.timedelta(days=29), LAST_DAY),
        "province_1d": (province, LAST_DAY, LAST_DAY),
        "province_30d": (province, LAST_DAY - dt.timedelta(days=29), LAST_DAY),
    }
    app_all: list[float] = []
    sql_all: list[float] = []
    detail = {}
    for name, (centre, start, end) in scenarios.items():
        app_samples, app_result = _time(_app_answer, centre, start, end)
        sql_samples, sql_result = _time(_sql_answer, centre, start, end)
        assert _normalise(app_result) == _normalise(sql_result), f"{name}: app and SQL disagree"
        app_all += app_samples
        sql_all += sql_samples
        pooled = app_result[0]
        detail[name] = {
            "app_p95_ms": _p95(app_samples),
            "sql_p95_ms": _p95(sql_samples),
            "expected": pooled[0],
            "filed": pooled[1],
            "on_time": pooled[2],
        }
    p95, sql_p95 = _p95(app_all), _p95(sql_all)
    print(
        json.dumps(
            {
                "rows": rows,
                "p95_ms": p95,
                "sql_p95_ms": sql_p95,
                "ratio": round(p95 / sql_p95, 2) if sql_p95 else None,
                "seed_seconds": seed_seconds,
                "province": province.short_code,
                "runs": RUNS,
                "scenarios": detail,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
