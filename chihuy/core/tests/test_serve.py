"""The multi-process launcher: every worker serves, a dead worker is replaced, SIGTERM stops all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from chihuy.core import serve

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="needs SO_REUSEPORT")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return {int(p) for p in path.read_text().split()} if path.exists() else set()


def _wait(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def launcher(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "CHIHUY_ENV": "development",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "chihuy.core.serve", "--workers", "2", "--port", str(port)], cwd=ROOT, env=env
    )
    yield proc, port
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def test_two_workers_serve_and_a_dead_one_is_replaced(launcher):
    proc, port = launcher
    assert _wait(lambda: len(_children(proc.pid)) == 2 and _healthy(port))
    first = _children(proc.pid)
    time.sleep(serve.STARTUP_GRACE_SECONDS)  # past start-up: a death now is a crash to recover from
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    assert _wait(lambda: len(_children(proc.pid)) == 2 and victim not in _children(proc.pid))
    assert _wait(lambda: _healthy(port))

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    assert not _healthy(port)


def test_a_port_taken_by_someone_else_stops_the_launcher(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # no SO_REUSEPORT: nobody may share it
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
            "CHIHUY_ENV": "development",
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "chihuy.core.serve", "--workers", "2", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        assert proc.wait(30) == 1


def test_workers_do_not_outlive_a_killed_supervisor(launcher):
    proc, port = launcher
    assert _wait(lambda: len(_children(proc.pid)) == 2 and _healthy(port))
    workers = _children(proc.pid)
    proc.kill()  # SIGKILL: the supervisor cannot pass anything on
    proc.wait(10)
    assert _wait(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers))
