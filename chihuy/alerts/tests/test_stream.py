"""The live stream: an in-app delivery becomes an SSE event on the user's open connection."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connection
from django.test import AsyncClient

from chihuy.alerts.bus import bus
from chihuy.alerts.services import alert_raise
from chihuy.centres.choices import Role

# The process's poller reads on a thread of its own, with its own connection: it sees committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


async def _read_until(content, marker: bytes, timeout: float = 10.0, count: int = 1) -> bytes:
    buffer = b""

    async def read() -> bytes:
        nonlocal buffer
        async for chunk in content:
            buffer += chunk
            if buffer.count(marker) >= count:
                return buffer
        return buffer

    return await asyncio.wait_for(read(), timeout)


def _events(raw: bytes) -> list[dict]:
    out = []
    for block in raw.decode().split("\n\n"):
        lines = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":")
        )
        if lines.get("event") == "alert":
            out.append({"id": int(lines["id"]), **json.loads(lines["data"])})
    return out


def test_stream_yields_a_new_delivery(world, make_record, monkeypatch):
    monkeypatch.setenv("CHIHUY_ALERTS_POLL_SECONDS", "0.01")
    commander = world.user("commune", Role.COMMANDER)
    record = make_record(world.commune)

    async def scenario() -> list[dict]:
        client = AsyncClient()
        await client.aforce_login(commander, backend="django.contrib.auth.backends.ModelBackend")
        response = await client.get("/alerts/stream")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/event-stream")
        content = aiter(response.streaming_content)
        await _read_until(content, b": connected")
        await sync_to_async(alert_raise)(record=record)
        raw = await _read_until(content, b"event: alert")
        await content.aclose()
        return _events(raw)

    events = async_to_sync(scenario)()
    assert len(events) == 1
    assert events[0]["record"] == record.number
    assert events[0]["category"] == "Cách ly"
    assert events[0]["alert"] == record.alerts.get().pk


def test_stream_resumes_after_last_event_id(world, make_record, monkeypatch):
    monkeypatch.setenv("CHIHUY_ALERTS_POLL_SECONDS", "0.01")
    commander = world.user("commune", Role.COMMANDER)
    first = alert_raise(record=make_record(world.commune))
    second = alert_raise(record=make_record(world.commune))
    first_id = first.deliveries.get(channel="in_app").pk

    async def scenario(headers: dict, count: int) -> list[dict]:
        client = AsyncClient()
        await client.aforce_login(commander, backend="django.contrib.auth.backends.ModelBackend")
        response = await client.get("/alerts/stream", headers=headers)
        content = aiter(response.streaming_content)
        raw = await _read_until(content, b"event: alert", count=count)
        await content.aclose()
        return _events(raw)

    resumed = async_to_sync(scenario)({"Last-Event-ID": str(first_id)}, 1)
    assert [e["alert"] for e in resumed] == [second.pk]
    # A fresh tab gets the alerts still waiting, so a reload never hides one.
    fresh = async_to_sync(scenario)({}, 2)
    assert {e["alert"] for e in fresh} == {first.pk, second.pk}


def test_stream_only_carries_the_users_own_deliveries(world, make_record, monkeypatch):
    monkeypatch.setenv("CHIHUY_ALERTS_POLL_SECONDS", "0.01")
    monkeypatch.setenv("CHIHUY_ALERTS_HEARTBEAT_SECONDS", "0.05")
    alert_raise(record=make_record(world.commune))
    outsider = world.user("sibling", Role.COMMANDER)

    async def scenario() -> bytes:
        client = AsyncClient()
        await client.aforce_login(outsider, backend="django.contrib.auth.backends.ModelBackend")
        response = await client.get("/alerts/stream")
        content = aiter(response.streaming_content)
        raw = await _read_until(content, b": ping")
        await content.aclose()
        return raw

    raw = async_to_sync(scenario)()
    assert b"event: alert" not in raw


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")
def test_a_committed_alert_wakes_a_waiting_stream_at_once(world, make_record, monkeypatch):
    """Once the listener is up a stream stops polling; only the commit's NOTIFY can wake it in time."""
    monkeypatch.setenv("CHIHUY_ALERTS_POLL_SECONDS", "0.05")  # until the listener is connected
    monkeypatch.setenv("CHIHUY_ALERTS_IDLE_SECONDS", "120")  # then: no read of its own for 2 minutes
    commander = world.user("commune", Role.COMMANDER)
    record = make_record(world.commune)

    async def scenario() -> list[dict]:
        client = AsyncClient()
        await client.aforce_login(commander, backend="django.contrib.auth.backends.ModelBackend")
        response = await client.get("/alerts/stream")
        content = aiter(response.streaming_content)
        await _read_until(content, b": connected")
        reader = asyncio.create_task(_read_until(content, b"event: alert", timeout=20))
        for _ in range(200):
            if bus.listening:
                break
            await asyncio.sleep(0.05)
        assert bus.listening
        await asyncio.sleep(0.5)  # the stream has read once more and now waits for a wake-up
        await sync_to_async(alert_raise)(record=record)
        raw = await reader
        await content.aclose()
        return _events(raw)

    events = async_to_sync(scenario)()
    assert [e["record"] for e in events] == [record.number]
    assert not bus.listening  # the last stream closed: the listening connection is released
