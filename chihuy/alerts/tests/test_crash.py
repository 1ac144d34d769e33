"""Crash safety: a real worker is SIGKILLed mid-chain and restarted; every step fires exactly once.

The web process and the worker share a scratch database (a SQLite file, or a scratch
PostgreSQL database when DATABASE_URL points at PostgreSQL), exactly as in production.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# 3 s per step: each look at the state is a new process (1-3 s on a loaded machine), and the
# worker must still be mid-chain when the test has seen three steps fire.
MINUTES = 0.05
REPEATS = 3


def _scratch_database(tmp_path: Path) -> tuple[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp_path / 'crash.sqlite3'}", None
    import psycopg

    base, _, name = url.rpartition("/")
    scratch = f"{name.split('?')[0]}_alerts_crash"
    admin = psycopg.connect(f"{base}/postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{scratch}"')

    def drop() -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.close()

    return f"{base}/{scratch}", drop


def _run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "*",
            "--no-reload",
            "--interval",
            "0.05",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _report(env: dict[str, str]) -> dict:
    return json.loads(_run(env, "-m", "chihuy.alerts.tests.crash_driver", "report").strip().splitlines()[-1])


def _wait(env: dict[str, str], done, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        state = _report(env)
        if done(state) or time.monotonic() > deadline:
            return state
        time.sleep(0.3)


def test_worker_killed_mid_chain_loses_nothing_and_duplicates_nothing(tmp_path):
    url, drop = _scratch_database(tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "chihuy.settings",
        "CHIHUY_VAR_DIR": str(tmp_path / "var"),
        "CHIHUY_ALERTS_AUDIT_SECONDS": "1",
        "CHIHUY_ALERTS_STUCK_SECONDS": "3",
        "EMAIL_URL": "console:",
        "PYTHONPATH": str(ROOT),
    }
    worker = None
    try:
        _run(env, "manage.py", "migrate", "--noinput", "-v0")
        _run(env, "-m", "chihuy.alerts.tests.crash_driver", "setup", str(MINUTES), str(REPEATS))
        worker = _worker(env)

        def fired(state: dict) -> int:
            return sum(s["fired"] for s in state["steps"])

        state = _wait(env, lambda s: fired(s) >= 3, timeout=60)
        total = len(state["steps"])
        assert total == 3 * REPEATS
        assert 3 <= fired(state) < total, "the worker must die mid-chain"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        time.sleep(2.5)  # deadlines pass while no worker runs
        assert fired(_report(env)) < total

        worker = _worker(env)
        state = _wait(
            env,
            lambda s: (
                fired(s) == total
                and all(d["status"] in ("sent", "failed") for d in s["deliveries"])
                and len([d for d in s["deliveries"] if d["channel"] == "email" and d["status"] == "sent"])
                >= sum(len(x["recipients"]) for x in s["steps"])
            ),
            timeout=90,
        )
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
        if drop is not None:
            drop()

    assert all(s["fired"] for s in state["steps"])
    expected = Counter((s["position"], user) for s in state["steps"] for user in s["recipients"])
    in_app = Counter(
        (d["step__position"], d["user_id"]) for d in state["deliveries"] if d["channel"] == "in_app"
    )
    assert in_app == expected  # each person told once per step: none lost, none twice
    email_sent = Counter(
        (d["step__position"], d["user_id"])
        for d in state["deliveries"]
        if d["channel"] == "email" and d["status"] == "sent"
    )
    assert email_sent == expected
