"""Wake open alert streams the moment a delivery is committed (PostgreSQL LISTEN/NOTIFY).

The in-app delivery rows stay the only truth: a stream reads them with ``stream_events``.
What this module changes is *when* it reads. On PostgreSQL the transaction that writes
in-app deliveries also sends ``NOTIFY chihuy_alerts, '<user ids>'``, which PostgreSQL
delivers only if and when that transaction commits; one listening connection per server
process wakes the streams of those users at once. A stream still re-reads every few
seconds on its own, so a missed wake-up (listener reconnecting, SQLite, the WSGI test
server) costs latency, never an alert.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection

CHANNEL = "chihuy_alerts"
_PAYLOAD_LIMIT = 7000  # PostgreSQL refuses a NOTIFY payload of 8000 bytes or more

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


class Bus:
    """One LISTEN connection per event loop, and the waiting streams keyed by user."""

    def __init__(self) -> None:
        self._events: dict[int, set[asyncio.Event]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.listening = False

    @staticmethod
    def available() -> bool:
        return connection.vendor == "postgresql"

    def subscribe(self, user_id: int) -> asyncio.Event:
        """An event set whenever ``user_id`` may have something new; call from the event loop."""
        self._ensure_listener()
        event = asyncio.Event()
        self._events[user_id].add(event)
        return event

    def unsubscribe(self, user_id: int, event: asyncio.Event) -> None:
        waiting = self._events.get(user_id)
        if waiting is not None:
            waiting.discard(event)
            if not waiting:
                del self._events[user_id]
        if not self._events and self._task is not None:
            self._task.cancel()  # the last stream closed: free the listening connection
            self._task = None

    def wake(self, payload: str) -> None:
        for part in payload.split(","):
            if part.strip().isdigit():
                for event in self._events.get(int(part), ()):
                    event.set()

    def _wake_everyone(self) -> None:
        for waiting in self._events.values():
            for event in waiting:
                event.set()

    def _ensure_listener(self) -> None:
        if not self.available():
            return
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop = loop
            self._task = loop.create_task(self._listen())

    @staticmethod
    def _params() -> dict[str, Any]:
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)  # Django's is synchronous
        return params

    async def _listen(self) -> None:
        import psycopg

        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(**self._params(), autocommit=True)
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening = True
                    self._wake_everyone()  # whatever committed while nobody listened
                    async for note in conn.notifies():
                        self.wake(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database restarted, the network blinked…
                logger.warning("alert listener lost its connection (%s); streams poll until it is back", exc)
                await asyncio.sleep(1)
            finally:
                self.listening = False


bus = Bus()
