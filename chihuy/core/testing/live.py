"""The production server inside a test, and the hotline's load with its lost/duplicate count.

``UvicornThread`` serves ``chihuy.asgi.application`` (the path production takes: sync views on
worker threads, the alert stream on the event loop) from a thread of the test process, on the
test database. ``Launcher`` runs the real launcher (``python -m chihuy.core.serve``, several
processes) as a subprocess on the same test database; the test must commit its data
(``transaction=True``). ``drive_intakes`` is a call centre's integration: every call carries
its own ``Idempotency-Key`` and is retried with it until answered, as a client must do when a
server or the network fails it; ``count_intakes`` then says what was lost and what doubled.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class UvicornThread:
    """``with UvicornThread() as server:`` ``server.url`` answers until the block ends."""

    def __init__(self) -> None:
        import uvicorn

        from chihuy.asgi import application

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            application, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", loop="asyncio"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> UvicornThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started, "uvicorn did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def test_database_url() -> str:
    """The address of the test database this process uses, for a server started beside it."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Launcher:
    """The ``make run`` web launcher on the test database, with ``workers`` uvicorn processes."""

    def __init__(self, tmp_path: Path, *, workers: int = 2) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "CHIHUY_VAR_DIR": str(tmp_path / "var"),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Launcher:
        command = [sys.executable, "-m", "chihuy.core.serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--workers", str(self.workers)], cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                healthy = httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
                if healthy and len(self.children()) == self.workers:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("the launcher did not start")

    def children(self) -> list[int]:
        assert self.process is not None
        found = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in found.stdout.split()]

    def kill_one(self) -> int:
        """SIGKILL one web process, as the OOM killer or a crash would; the launcher restarts it."""
        pid = self.children()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Drive:
    started: float = field(default_factory=time.monotonic)
    ended: float = 0.0
    keys: list[str] = field(default_factory=list)
    urgent: set[str] = field(default_factory=set)
    answered: dict[str, int] = field(default_factory=dict)  # key -> final status
    retries: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # what made a call retry


def drive_intakes(
    base_url: str,
    *,
    token: str,
    centre: Any,
    calls: int,
    lines: int = 6,
    every_urgent: int = 5,
    give_up_s: float = 90,
    spacing_s: float = 0.0,
) -> Drive:
    """``calls`` API intakes over ``lines`` parallel lines, each retried with its key until 201 (for
    ``give_up_s`` in all);
    a line waits ``spacing_s`` after each answered call, so a drive lasts long enough for a fault."""
    drive = Drive()
    lock = threading.Lock()
    deadline = time.monotonic() + give_up_s  # for the whole drive: a broken server fails it soon

    def one(i: int) -> None:
        key = f"drill-{uuid.uuid4()}"
        urgent = i % every_urgent == 0
        body: dict[str, Any] = {
            "centre": centre.pk,
            "channel": "hotline",
            "reporter_phone": f"0912{i:06d}",
            "jurisdiction_code": centre.jurisdiction.code,
            "category": "cach_ly",
            "content": f"Cuộc gọi diễn tập số {i}",
        }
        if urgent:
            body |= {"urgent": True, "urgency_reason": "Ca nghi nhiễm chưa cách ly"}
        with lock:
            drive.keys.append(key)
            if urgent:
                drive.urgent.add(key)
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
        status = 0
        while time.monotonic() < deadline:
            try:
                status = httpx.post(
                    f"{base_url}/api/v1/intakes", json=body, headers=headers, timeout=30
                ).status_code
            except httpx.TransportError as exc:
                status, cause = 0, type(exc).__name__
            else:
                cause = str(status)
            if status == 201:
                break
            with lock:
                drive.retries += 1
                drive.failures[cause] += 1
            time.sleep(0.2)
        with lock:
            drive.answered[key] = status
        time.sleep(spacing_s)

    with ThreadPoolExecutor(max_workers=lines) as pool:
        list(pool.map(one, range(calls)))
    drive.ended = time.monotonic()
    return drive


def count_intakes(drive: Drive, *, centre: Any) -> dict[str, Any]:
    """Lost and duplicated records, alerts and first-step events of a drive (targets: 0)."""
    from chihuy.alerts.models import Alert, AlertDelivery
    from chihuy.intake.models import IdempotencyKey, IntakeRecord

    by_key = Counter(
        IdempotencyKey.objects.filter(key__in=drive.keys, record__isnull=False).values_list("key", flat=True)
    )
    records = IntakeRecord.objects.filter(centre=centre, content__startswith="Cuộc gọi diễn tập")
    urgent_ids = list(IdempotencyKey.objects.filter(key__in=drive.urgent).values_list("record_id", flat=True))
    alerts = Counter(Alert.objects.filter(record_id__in=urgent_ids).values_list("record_id", flat=True))
    days: dict[str, list[int]] = {}
    for number in records.values_list("number", flat=True):  # CENTRE-YYYYMMDD-NNNN
        day, _, n = number.rpartition("-")
        days.setdefault(day, []).append(int(n))
    first_steps = set(
        AlertDelivery.objects.filter(alert__record_id__in=urgent_ids, step__position=0, channel="in_app")
        .values_list("alert__record_id", flat=True)
        .distinct()
    )
    return {
        "unanswered": sum(1 for s in drive.answered.values() if s != 201),
        "lost": sum(1 for k in drive.keys if by_key[k] == 0),
        "duplicated": records.count() - len(by_key),
        "alerts_lost": sum(1 for r in urgent_ids if alerts[r] == 0),
        "alerts_duplicated": sum(1 for r in urgent_ids if alerts[r] > 1),
        "first_steps_lost": sum(1 for r in urgent_ids if r not in first_steps),
        "number_gaps": sum(max(ns) - min(ns) + 1 - len(ns) for ns in days.values()),
    }
