"""Open alert pages never starve the hotline (issue 12 §1, R3, R16).

A real ASGI server (uvicorn, ``chihuy.asgi.application``, the production path) holds 500 alert
streams open in one process while duty officers log calls through the API on the same
process. The streams cost the process one poller's connection, not one each: every call is
answered (no pool time-out, no 500) and every urgent event reaches every stream it should.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.conf import settings
from django.test import Client

from chihuy.alerts.bus import bus
from chihuy.centres.choices import Role, Sector
from chihuy.core.testing.live import UvicornThread

pytestmark = pytest.mark.django_db(transaction=True)

STREAMS_OF_COMMANDER = 400  # the commune commander's tabs: every urgent call must reach each
STREAMS_OF_OUTSIDER = 100  # the sibling commune's commander: nothing of the commune's reaches them
URGENT_CALLS = 6
ROUTINE_CALLS = 24


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def _open_stream(port: int, cookie: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            "GET /alerts/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            f"Cookie: {settings.SESSION_COOKIE_NAME}={cookie}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    return reader, writer


async def _read_records(reader: asyncio.StreamReader, numbers: set[str], until: float) -> set[str]:
    """Record numbers of the alert events read before ``until`` (chunked body, SSE inside)."""
    seen: set[str] = set()
    buffer = b""
    while time.monotonic() < until and not (numbers and numbers <= seen):
        try:
            chunk = await asyncio.wait_for(reader.read(65536), max(0.05, until - time.monotonic()))
        except TimeoutError:
            break
        if not chunk:
            break
        buffer += chunk
        for number in numbers:
            if f'"record": "{number}"'.encode() in buffer:
                seen.add(number)
    return seen


def test_500_open_streams_cost_one_reader_and_every_urgent_call_reaches_every_tab(
    world, _fresh_throttle_cache, monkeypatch
):
    monkeypatch.setenv("CHIHUY_ALERTS_HEARTBEAT_SECONDS", "5")
    commander = world.user("commune", Role.COMMANDER)
    outsider = world.user("sibling", Role.COMMANDER)
    officer = world.user("commune", Role.DUTY_OFFICER)
    cookies = {commander.pk: _session_cookie(commander), outsider.pk: _session_cookie(outsider)}
    from chihuy.api.services import api_token_create

    _, token = api_token_create(user=officer, name="hotline")

    def call(i: int) -> tuple[int, str]:
        urgent = i % (1 + ROUTINE_CALLS // URGENT_CALLS) == 0
        body = {
            "centre": world.commune.pk,
            "channel": "hotline",
            "reporter_phone": f"09123{i:05d}",
            "jurisdiction_code": world.commune.jurisdiction.code,
            "category": Sector.ISOLATION,
            "content": f"Cuộc gọi số {i}: có người từ vùng dịch về",
            **({"urgent": True, "urgency_reason": "Ca nghi nhiễm chưa cách ly"} if urgent else {}),
        }
        response = httpx.post(
            f"http://127.0.0.1:{server.port}/api/v1/intakes",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        number = response.json().get("number", "") if response.status_code == 201 else ""
        return response.status_code, number if urgent else ""

    async def scenario() -> tuple[list[set[str]], list[set[str]], list[tuple[int, str]], int]:
        loop = asyncio.get_running_loop()
        owners = [commander.pk] * STREAMS_OF_COMMANDER + [outsider.pk] * STREAMS_OF_OUTSIDER
        streams = []
        for start in range(0, len(owners), 50):  # tabs open in waves, as a morning does
            streams += await asyncio.gather(
                *(_open_stream(server.port, cookies[u]) for u in owners[start : start + 50])
            )
        for _ in range(400):
            if bus.streams() == len(owners):
                break
            await asyncio.sleep(0.05)
        reads_before = bus.reads
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = await asyncio.gather(
                *(loop.run_in_executor(pool, call, i) for i in range(URGENT_CALLS + ROUTINE_CALLS))
            )
        numbers = {n for _, n in results if n}
        until = time.monotonic() + 30
        seen = await asyncio.gather(*(_read_records(r, numbers, until) for r, _ in streams))
        reads = bus.reads - reads_before
        for _, writer in streams:
            writer.close()
        return seen[:STREAMS_OF_COMMANDER], seen[STREAMS_OF_COMMANDER:], results, reads

    with UvicornThread() as server, ThreadPoolExecutor(max_workers=1) as own_loop:
        # A thread of its own: this one may already run an event loop (Playwright's, under xdist).
        commanders, outsiders, results, reads = own_loop.submit(asyncio.run, scenario()).result()

    assert [status for status, _ in results] == [201] * len(results)  # no pool time-out, no 500
    numbers = {n for _, n in results if n}
    assert len(numbers) == URGENT_CALLS
    missing = [numbers - seen for seen in commanders if numbers - seen]
    assert not missing, f"{len(missing)} of {STREAMS_OF_COMMANDER} tabs missed an urgent call"
    assert all(not seen for seen in outsiders)
    # One reader for the whole process: a handful of batched reads, not one per tab.
    assert reads < 200
