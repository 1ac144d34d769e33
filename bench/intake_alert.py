"""Benchmark: intake API throughput against raw INSERTs, and urgent-alert latency to an open SSE tab.

Runs the real ASGI server (uvicorn) and the two task workers (``db_worker``) as subprocesses on
127.0.0.1 against PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/chihuy_bench;
the database is dropped, created and migrated by this script). Measures (issue 3):

- ``intake_rps``: sustained ``POST /api/v1/intakes``, 8 concurrent clients, BENCH_SECONDS (30 s);
- ``raw_insert_tps``: plain single-row INSERTs into a similar table, same database and concurrency;
- ``intake_vs_raw``: their ratio;
- ``healthz_rps`` / ``healthz_vs_raw``: the same clients and server on ``GET /healthz`` (one
  ``SELECT 1``, no authentication, no write) for BENCH_FLOOR_SECONDS (10 s): the most any
  request through this HTTP stack reaches on this machine, for reading ``intake_vs_raw``;
- ``alert_p50_ms`` / ``alert_p99_ms``: from an urgent POST returning to its alert event arriving on
  the commander's open ``/alerts/stream`` connection, over BENCH_URGENT (500) urgent records sent
  while 20 non-urgent records per second flow in the background. The event is committed before
  the POST returns, so it may arrive first: such samples count as 0 ms. ``alert_from_send_*``
  measure from the moment the urgent POST is sent instead (the intake write included).

Prints exactly one JSON line (house style rule 18: benchmarks are not tests).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from typing import Any

from _common import (
    PROXY_HEADERS,
    ROOT,
    free_port,
    pct,
    postgres_url,
    production_env,
    province_centre,
    quiet_http_logs,
    recreate_database,
    setup_django,
    start_stack,
    stop_stack,
    wait_ready,
)

sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chihuy_bench"
CONCURRENCY = 8
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
FLOOR_SECONDS = float(os.environ.get("BENCH_FLOOR_SECONDS", "10"))
URGENT = int(os.environ.get("BENCH_URGENT", "500"))
URGENT_GAP_SECONDS = 0.05  # urgent records go one after another, never piling up
MAX_BACKGROUND_IN_FLIGHT = 16
BACKGROUND_PER_SECOND = 20.0
BACKGROUND_LINES = 4
URGENT_LINES = 2


def _log(msg: str) -> None:
    print(f"[bench-intake] {msg}", file=sys.stderr, flush=True)


def _setup_django(url: str) -> dict[str, Any]:
    setup_django(url)
    import django
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    from chihuy.alerts.models import AlertPolicy
    from chihuy.api.services import api_token_create
    from chihuy.centres.choices import Role
    from chihuy.centres.models import Member

    user_model = django.apps.apps.get_model(settings.AUTH_USER_MODEL)
    centre = province_centre()
    commander = user_model.objects.create_user(username="bench_commander", password="x" * 16)
    Member.objects.create(centre=centre, user=commander, role=Role.COMMANDER)
    # One integration (user + token) per client: the API throttles per user (600/min), and
    # eight call-centre lines are eight callers, not one. The background flow (20/s = 1,200
    # a minute) and the urgent records (up to 20/s) are spread over several lines the same way.
    secrets = []
    for i in range(CONCURRENCY + BACKGROUND_LINES + URGENT_LINES):
        officer = user_model.objects.create_user(username=f"bench_officer{i}", password="x" * 16)
        Member.objects.create(centre=centre, user=officer, role=Role.DUTY_OFFICER)
        secrets.append(api_token_create(user=officer, name="bench")[1])
    AlertPolicy.objects.create(centre=centre, email_enabled=False)
    session = SessionStore()
    session[SESSION_KEY] = str(commander.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = commander.get_session_auth_hash()
    session.create()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_raw (id bigserial PRIMARY KEY, centre_id bigint NOT NULL, number varchar(40),"
            " content text NOT NULL, category varchar(14), urgent boolean NOT NULL,"
            " received_at timestamptz NOT NULL, created_at timestamptz NOT NULL)"
        )
        cursor.execute("CREATE INDEX bench_raw_centre ON bench_raw (centre_id, received_at)")
    connection.close()
    return {"centre": centre.pk, "tokens": secrets, "session": session.session_key}


def _start(url: str, port: int) -> list[Any]:
    workers = os.environ.get("BENCH_WORKERS") or str(max(2, min(4, os.cpu_count() or 2)))
    # The same launcher as ``make run``: one uvicorn process per core, a listening socket each.
    return start_stack(url, port, workers=workers)


def _body(centre: int, n: int, urgent: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "centre": centre,
        "channel": "hotline",
        "anonymous": True,
        "address": f"Tổ dân phố {n % 40}",
        "category": "cach_ly",
        "content": f"Người dân báo ca nghi nhiễm số {n} tại tổ dân phố {n % 40}",
        "urgent": urgent,
    }
    if urgent:
        body["urgency_reason"] = "Ca nghi nhiễm chưa cách ly"
    return body


async def _sustained_rps(
    base: str, seconds: float, send: Any, expected: int, headers: Any = lambda i: {}
) -> float:
    """CONCURRENCY clients, each on its own connection, repeating ``send(client)`` for ``seconds``."""
    import httpx

    done = 0
    errors = 0
    stop = time.monotonic() + seconds

    async def client_loop(i: int) -> None:
        nonlocal done, errors
        async with httpx.AsyncClient(
            base_url=base, headers={**headers(i), **PROXY_HEADERS}, timeout=30
        ) as client:
            while time.monotonic() < stop:
                r = await send(client)
                if r.status_code == expected:
                    done += 1
                else:
                    errors += 1
                    if errors <= 3:
                        _log(f"{r.request.method} {r.request.url.path} {r.status_code}: {r.text[:300]}")

    start = time.monotonic()
    await asyncio.gather(*(client_loop(i) for i in range(CONCURRENCY)))
    return done / (time.monotonic() - start)


async def _intake_rps(base: str, ctx: dict[str, Any]) -> float:
    counter = iter(range(10**9))
    return await _sustained_rps(
        base,
        SECONDS,
        lambda client: client.post("/api/v1/intakes", json=_body(ctx["centre"], next(counter), False)),
        201,
        headers=lambda i: {"Authorization": f"Bearer {ctx['tokens'][i]}"},
    )


async def _healthz_rps(base: str) -> float:
    return await _sustained_rps(base, FLOOR_SECONDS, lambda client: client.get("/healthz"), 200)


async def _raw_tps(url: str, centre: int) -> float:
    import psycopg

    done = 0
    stop = time.monotonic() + SECONDS

    async def loop(i: int) -> None:
        nonlocal done
        conn = await psycopg.AsyncConnection.connect(
            url.replace("postgres://", "postgresql://"), autocommit=True
        )
        async with conn:
            n = 0
            while time.monotonic() < stop:
                await conn.execute(
                    "INSERT INTO bench_raw"
                    " (centre_id, number, content, category, urgent, received_at, created_at)"
                    " VALUES (%s, %s, %s, %s, %s, now(), now())",
                    (centre, f"VP-{i}-{n}", f"Người dân báo ca nghi nhiễm số {n}", "cach_ly", False),
                )
                n += 1
                done += 1

    start = time.monotonic()
    await asyncio.gather(*(loop(i) for i in range(CONCURRENCY)))
    return done / (time.monotonic() - start)


async def _alert_latency(base: str, ctx: dict[str, Any], stats: dict[str, Any]) -> list[float]:
    import httpx

    arrived: dict[str, float] = {}
    returned: dict[str, float] = {}
    sent: dict[str, float] = {}
    connected = asyncio.Event()

    async def listen() -> None:
        cookies = {"sessionid": ctx["session"]}
        async with (
            httpx.AsyncClient(base_url=base, cookies=cookies, headers=PROXY_HEADERS, timeout=None) as client,
            client.stream("GET", "/alerts/stream") as response,
        ):
            if True:
                response.raise_for_status()
                event = ""
                async for line in response.aiter_lines():
                    if line.startswith(": connected"):
                        connected.set()
                    elif line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: ") and event == "alert":
                        arrived.setdefault(json.loads(line[6:])["record"], time.perf_counter())

    def line_headers(first: int, count: int, n: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {ctx['tokens'][first + n % count]}"}

    stop_background = asyncio.Event()

    async def background() -> None:
        nonlocal background_sent
        gate = asyncio.Semaphore(MAX_BACKGROUND_IN_FLIGHT)

        async def one(client: httpx.AsyncClient, n: int) -> None:
            nonlocal background_sent
            try:
                r = await client.post(
                    "/api/v1/intakes",
                    json=_body(ctx["centre"], n, False),
                    headers=line_headers(CONCURRENCY, BACKGROUND_LINES, n),
                )
                if r.status_code == 201:
                    background_sent += 1
                elif background_sent == 0:
                    _log(f"background POST {r.status_code}: {r.text[:200]}")
            except httpx.HTTPError as exc:
                _log(f"background POST failed: {exc!r}")
            finally:
                gate.release()

        async with httpx.AsyncClient(base_url=base, headers=PROXY_HEADERS, timeout=60) as client:
            n = 10**6
            pending: set[asyncio.Task[Any]] = set()
            next_at = time.perf_counter()
            while not stop_background.is_set():
                n += 1
                await gate.acquire()  # an overloaded server slows the flow instead of drowning
                task = asyncio.create_task(one(client, n))
                pending.add(task)
                task.add_done_callback(pending.discard)
                next_at += 1 / BACKGROUND_PER_SECOND
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            await asyncio.gather(*pending, return_exceptions=True)

    async def urgent_one(client: httpx.AsyncClient, n: int) -> None:
        started = time.perf_counter()
        r = await client.post(
            "/api/v1/intakes",
            json=_body(ctx["centre"], n, True),
            headers=line_headers(CONCURRENCY + BACKGROUND_LINES, URGENT_LINES, n),
        )
        now = time.perf_counter()
        if r.status_code == 201:
            returned[r.json()["number"]] = now
            sent[r.json()["number"]] = started
        else:
            _log(f"urgent POST {r.status_code}: {r.text[:200]}")

    background_sent = 0
    listener = asyncio.create_task(listen())
    await asyncio.wait_for(connected.wait(), 30)
    bg = asyncio.create_task(background())
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, headers=PROXY_HEADERS, timeout=60) as client:
        for n in range(URGENT):
            await urgent_one(client, 2 * 10**6 + n)
            await asyncio.sleep(URGENT_GAP_SECONDS)
    elapsed = time.perf_counter() - started
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline and not set(returned) <= set(arrived):
        await asyncio.sleep(0.05)
    stop_background.set()
    await bg
    listener.cancel()
    _log(f"background flow achieved {background_sent / elapsed:.1f} non-urgent/s")
    stats["background_rps"] = round(background_sent / elapsed, 1)
    missing = set(returned) - set(arrived)
    if missing:
        _log(f"{len(missing)} alerts never arrived on the stream")
    stats["from_send"] = [(arrived[k] - sent[k]) * 1000 for k in returned if k in arrived]
    return [max(0.0, (arrived[k] - returned[k]) * 1000) for k in returned if k in arrived]


def main() -> None:
    url = postgres_url(DEFAULT_URL, "bench-intake")
    production_env()
    _log("preparing the database")
    recreate_database(url)
    ctx = _setup_django(url)
    quiet_http_logs()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    procs = _start(url, port)
    stats: dict[str, Any] = {}
    try:
        asyncio.run(wait_ready(base))
        _log(f"intake throughput for {SECONDS:g} s")
        intake_rps = asyncio.run(_intake_rps(base, ctx))
        _log(f"intake_rps={intake_rps:.1f}")
        _log(f"GET /healthz for {FLOOR_SECONDS:g} s")
        healthz_rps = asyncio.run(_healthz_rps(base))
        _log(f"raw inserts for {SECONDS:g} s")
        raw_tps = asyncio.run(_raw_tps(url, ctx["centre"]))
        _log(f"alert latency over {URGENT} urgent records")
        latencies = asyncio.run(_alert_latency(base, ctx, stats))
    finally:
        stop_stack(procs)
    print(
        json.dumps(
            {
                "bench": "intake_alert",
                "database": "postgresql",
                "concurrency": CONCURRENCY,
                "seconds": SECONDS,
                "intake_rps": round(intake_rps, 1),
                "raw_insert_tps": round(raw_tps, 1),
                "intake_vs_raw": round(intake_rps / raw_tps, 3) if raw_tps else None,
                "healthz_rps": round(healthz_rps, 1),
                "healthz_vs_raw": round(healthz_rps / raw_tps, 3) if raw_tps else None,
                "alerts": len(latencies),
                "alert_p50_ms": pct(latencies, 0.50),
                "alert_p99_ms": pct(latencies, 0.99),
                "alert_mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
                # From the urgent POST being sent (so including the intake write itself).
                "alert_from_send_p50_ms": pct(stats.get("from_send", []), 0.50),
                "alert_from_send_p99_ms": pct(stats.get("from_send", []), 0.99),
                "background_rps": stats.get("background_rps"),
                "stream": "pg-listen-notify",
            }
        )
    )


if __name__ == "__main__":
    main()
