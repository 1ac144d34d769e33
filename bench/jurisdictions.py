"""Benchmark: load both jurisdiction structures, re-load them, and time the autocomplete search.

Uses a throwaway database: ``var/bench/jurisdictions.sqlite3`` (recreated each run), or, when
DATABASE_URL is set, a scratch database ``<name>_bench`` next to it on the same server (created,
migrated and dropped by this script; the configured database itself is never touched).

Prints exactly one JSON line (house style rule 18: benchmarks are not tests).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SQLITE_PATH = ROOT / "var" / "bench" / "jurisdictions.sqlite3"

QUERIES = [
    "ha phong",
    "vinh yen",
    "quang ninh",
    "tich son",
    "phong ha",
    "ha",
    "ng",
    "qua",
    "vinh p",
    "phu tho",
    "hai phong",
    "ho chi minh",
    "da nang",
    "thanh xuan",
    "ba dinh",
    "cai rong",
    "van don",
    "tan binh",
    "8707",
    "xa tan",
]
STRUCTURES = ["current", None, "legacy", "current"]
SEARCHES = 200


def _setup() -> tuple[str, str | None]:
    """Point Django at a fresh scratch database; return (vendor, original test name or None)."""
    if not os.environ.get("DATABASE_URL"):
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chihuy.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0)
        return connection.vendor, None
    original = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{original}_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return connection.vendor, original


def main() -> None:
    vendor, original_name = _setup()
    from django.db import connection

    from chihuy.jurisdictions.models import Jurisdiction, JurisdictionSuccession
    from chihuy.jurisdictions.selectors import jurisdiction_search
    from chihuy.jurisdictions.services import jurisdictions_load

    try:
        started = time.perf_counter()
        jurisdictions_load(structure="both")
        load_s = time.perf_counter() - started

        started = time.perf_counter()
        again = jurisdictions_load(structure="both")
        reload_s = time.perf_counter() - started
        if again.changed:
            raise SystemExit("re-load changed data: the loader is not idempotent")
        if vendor == "postgresql":
            with connection.cursor() as cursor:  # what autovacuum would do shortly after a load
                cursor.execute("ANALYZE jurisdictions_jurisdiction")

        for query in QUERIES:  # warm caches and the query plan
            jurisdiction_search(query=query, structure=None)
        timings = []
        for i in range(SEARCHES):
            query, structure = QUERIES[i % len(QUERIES)], STRUCTURES[(i // len(QUERIES)) % len(STRUCTURES)]
            started = time.perf_counter()
            jurisdiction_search(query=query, structure=structure)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()

        line = {
            "bench": "jurisdictions",
            "db": vendor,
            "load_both_s": round(load_s, 3),
            "reload_both_s": round(reload_s, 3),
            "units": Jurisdiction.objects.count(),
            "successions": JurisdictionSuccession.objects.count(),
            "searches": len(timings),
            "search_p50_ms": round(statistics.median(timings), 2),
            "search_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
            "search_max_ms": round(timings[-1], 2),
        }
    finally:
        if original_name is not None:
            connection.creation.destroy_test_db(original_name, verbosity=0)
    print(json.dumps(line))


if __name__ == "__main__":
    main()
