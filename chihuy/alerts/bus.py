"""The alert bus: one reader per server process fans new in-app alerts out to every open tab.

The in-app delivery rows stay the only truth; this module decides *who reads them and when*.

- **One poller per process** (per event loop), whatever the number of open tabs: it reads
  the events of every open stream in one batch (``stream_batch``, a fixed number of queries)
  on a thread of its own, hands each stream its events through an in-memory queue, and gives
  its database connection back to the pool after every read. A waiting tab holds no database
  connection (R3, R16: twenty open commander pages must never starve the hotline of
  connections, issue 12).
- **One listener per process** on PostgreSQL: the transaction that writes in-app deliveries
  also sends ``NOTIFY chihuy_alerts, '<user ids>'``, delivered only if and when it commits;
  the listener wakes the poller at once. The poller still reads every few seconds on its
  own, so a missed wake-up (listener reconnecting, SQLite) costs latency, never an alert.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection

CHANNEL = "chihuy_alerts"
_PAYLOAD_LIMIT = 7000  # PostgreSQL refuses a NOTIFY payload of 8000 bytes or more
ACK_CHECK_SECONDS = 2.0  # how soon a tab learns that someone else acknowledged

logger = logging.getLogger(__name__)


def announce(user_ids: Iterable[int]) -> None:
    """Inside the writing transaction: tell listeners these users have new deliveries."""
    if connection.vendor != "postgresql":
        return
    chunks: list[str] = []
    for user_id in sorted(set(user_ids)):
        if chunks and len(chunks[-1]) + len(str(user_id)) + 1 <= _PAYLOAD_LIMIT:
            chunks[-1] += f",{user_id}"
        else:
            chunks.append(str(user_id))
    if not chunks:
        return
    with connection.cursor() as cursor:
        for payload in chunks:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, payload])


def sse_alert(event: dict[str, Any]) -> bytes:
    return f"id: {event['id']}\nevent: alert\ndata: {json.dumps(event, ensure_ascii=False)}\n\n".encode()


def sse_acknowledged(alert_id: int) -> bytes:
    return f"event: acknowledged\ndata: {json.dumps({'alert': alert_id})}\n\n".encode()


class Subscriber:
    """One open tab: what it has been told, and the queue its stream writes out."""

    def __init__(self, user_id: int, last_id: int | None) -> None:
        self.user_id = user_id
        self.last_id = last_id  # None: just opened, gets the backlog first
        self.shown: set[int] = set()  # alerts on its screen, to drop when acknowledged
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()

    def take(self, events: list[dict[str, Any]], chunks: dict[int, bytes]) -> None:
        for event in events:
            if self.last_id is not None and event["id"] <= self.last_id:
                continue  # another tab of the same user had seen less: the read started lower
            self.last_id = event["id"]
            self.shown.add(event["alert"])
            self.queue.put_nowait(chunks[event["id"]])


def read_batch(
    after: dict[int, int], fresh: set[int], acks: set[int], *, release: bool = True
) -> tuple[Any, list[int]]:
    """One read for the given streams; with ``release`` the connection goes back to the pool after it."""
    from chihuy.alerts.selectors import acknowledged_among, stream_batch

    try:
        return stream_batch(after=after, fresh=fresh), acknowledged_among(alert_ids=sorted(acks))
    finally:
        if release:
            connection.close()


def fan_out(subs: list[Subscriber], batch: Any, acknowledged: set[int]) -> None:
    """Hand each open tab its share of one read: new events, the backlog, acknowledgements."""
    chunks = {
        e["id"]: sse_alert(e)
        for group in (batch.events, batch.backlog)
        for events in group.values()
        for e in events
    }
    for s in subs:
        if s.last_id is None:  # just opened: the alerts still waiting, then on from there
            for event in batch.backlog.get(s.user_id, ()):
                s.shown.add(event["alert"])
                s.queue.put_nowait(chunks[event["id"]])
            s.last_id = batch.start_after
            continue
        s.take(batch.events.get(s.user_id, []), chunks)
        s.last_id = max(s.last_id, batch.scanned_to)
        for alert_id in s.shown & acknowledged:
            s.shown.discard(alert_id)
            s.queue.put_nowait(sse_acknowledged(alert_id))


class Bus:
    """The open streams of this process, the poller that feeds them and the listener that wakes it."""

    def __init__(self) -> None:
        self._subs: dict[int, set[Subscriber]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._poller: asyncio.Task[None] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="alert-bus")
        self.listening = False
        self.reads = 0  # batched reads so far (tests and the load bench look at it)

    @staticmethod
    def available() -> bool:
        return connection.vendor == "postgresql"

    def streams(self) -> int:
        return sum(len(group) for group in self._subs.values())

    # --- streams come and go (called on the event loop) ---------------------------------

    def subscribe(self, user_id: int, last_id: int | None) -> Subscriber:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new loop (a test's): nothing of the old one carries over
            self._subs.clear()
            self._loop, self._wake = loop, asyncio.Event()
            self._poller = self._listener = None
            self.listening = False
        sub = Subscriber(user_id, last_id)
        self._subs[user_id].add(sub)
        if self._poller is None or self._poller.done():
            self._poller = loop.create_task(self._poll())
        if self.available() and (self._listener is None or self._listener.done()):
            self._listener = loop.create_task(self._listen())
        self.wake()  # its backlog at once
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        group = self._subs.get(sub.user_id)
        if group is not None:
            group.discard(sub)
            if not group:
                del self._subs[sub.user_id]
        if not self._subs:  # the last stream closed: free the listening connection
            for task in (self._poller, self._listener):
                if task is not None:
                    task.cancel()
            self._poller = self._listener = None

    def wake(self, user_ids: Iterable[int] | None = None) -> None:
        if self._wake is None:
            return
        if user_ids is None or any(u in self._subs for u in user_ids):
            self._wake.set()

    # --- the poller ------------------------------------------------------------------------

    async def _poll(self) -> None:
        from chihuy.alerts.conf import stream_idle_seconds, stream_poll_seconds

        assert self._wake is not None
        loop = asyncio.get_running_loop()
        acks_checked = time.monotonic()
        while self._subs:
            self._wake.clear()  # before reading: a wake-up during the read is not lost
            subs = [s for group in self._subs.values() for s in group]
            after: dict[int, int] = {}
            fresh: set[int] = set()
            for s in subs:
                if s.last_id is None:
                    fresh.add(s.user_id)
                else:
                    after[s.user_id] = min(after.get(s.user_id, s.last_id), s.last_id)
            acks: set[int] = set()
            if time.monotonic() - acks_checked >= ACK_CHECK_SECONDS:
                acks_checked = time.monotonic()
                acks = {a for s in subs for a in s.shown}
            try:
                batch, acknowledged = await loop.run_in_executor(
                    self._executor, read_batch, after, fresh, acks
                )
            except Exception as exc:  # the database restarted…: the tabs wait, the next read catches up
                logger.warning("alert streams could not read (%s); retrying", exc)
                await asyncio.sleep(1)
                continue
            self.reads += 1
            fan_out(subs, batch, set(acknowledged))
            if batch.more:
                continue
            pause = stream_idle_seconds() if self.listening else stream_poll_seconds()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), pause)

    # --- the listener ----------------------------------------------------------------------

    @staticmethod
    def _params() -> dict[str, Any]:
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)  # Django's is synchronous
        params.pop("pool", None)
        return params

    async def _listen(self) -> None:
        import psycopg

        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(**self._params(), autocommit=True)
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening = True
                    self.wake()  # whatever committed while nobody listened
                    async for note in conn.notifies():
                        self.wake(int(p) for p in note.payload.split(",") if p.strip().isdigit())
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database restarted, the network blinked…
                logger.warning("alert listener lost its connection (%s); streams poll until it is back", exc)
                await asyncio.sleep(1)
            finally:
                self.listening = False


bus = Bus()
