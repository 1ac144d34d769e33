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
# 3 s per step: one report (a Python process of its own) can take seconds on a loaded machine,
# and the worker must still be mid-chain when the test sees its third step.
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


def _worker(env: dict[str, str], *extra: str, queue: str = "*") -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            queue,
            "--no-reload",
            "--interval",
            "0.05",
            "--no-startup-delay",
            *extra,
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


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "chihuy.settings",
        "CHIHUY_VAR_DIR": str(tmp_path / "var"),
        "CHIHUY_ALERTS_AUDIT_SECONDS": "1",
        "CHIHUY_ALERTS_STUCK_SECONDS": "3",
        "EMAIL_URL": "console:",
        "PYTHONPATH": str(ROOT),
    }


def _stop(worker: subprocess.Popen[bytes] | None) -> None:
    if worker is not None and worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_worker_killed_mid_chain_loses_nothing_and_duplicates_nothing(tmp_path):
    url, drop = _scratch_database(tmp_path)
    env = _env(tmp_path, url)
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
        time.sleep(3.5)  # deadlines pass while no worker runs
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
        _stop(worker)
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


def test_a_task_left_running_by_a_killed_worker_is_taken_back_and_each_step_fires_once(tmp_path, gateway):
    """The alerts worker is SIGKILLed while a delivery task waits on the SMS gateway: that task's
    row stays RUNNING and the next steps fall due with no worker. The next worker to start takes
    the row back and runs it again; every step fires once, every SMS is sent once, and the SMS
    cut off mid-send is retried under the same idempotency key (what lets the gateway drop it)."""
    url, drop = _scratch_database(tmp_path)
    env = {**_env(tmp_path, url), "CHIHUY_ALERTS_STUCK_SECONDS": "2"}
    gateway.release.clear()  # the gateway holds its answer: the sender is stuck mid-send
    worker = None
    try:
        _run(env, "manage.py", "migrate", "--noinput", "-v0")
        _run(env, "-m", "chihuy.alerts.tests.crash_driver", "setup", "0.05", "1", f"{gateway.url}/sms")
        worker = _worker(env, "--worker-id", "doomed", queue="alerts")
        assert gateway.received.wait(timeout=60), "the worker never reached the gateway"
        running = [t for t in _report(env)["tasks"] if t["status"] == "RUNNING"]
        assert [(t["path"], t["workers"]) for t in running] == [
            ("chihuy.alerts.tasks.alert_deliver_task", ["doomed"])
        ]
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        gateway.release.set()
        # Every step falls due while no worker runs.
        last_due = max(s["due"] for s in _report(env)["steps"])
        time.sleep(max(0.0, last_due - time.time()) + 0.5)
        state = _report(env)
        assert not all(s["fired"] for s in state["steps"])
        assert [t["status"] for t in state["tasks"] if t["workers"] == ["doomed"]].count("RUNNING") == 1

        worker = _worker(env, queue="alerts")

        def settled(s: dict) -> bool:
            return (
                all(x["fired"] for x in s["steps"])
                and all(d["status"] in ("sent", "failed") for d in s["deliveries"])
                and not any(t["status"] == "RUNNING" and "doomed" in t["workers"] for t in s["tasks"])
            )

        state = _wait(env, settled, timeout=90)
    finally:
        _stop(worker)
        if drop is not None:
            drop()

    assert settled(state), state
    (recovered,) = [t for t in state["tasks"] if t["workers"][:1] == ["doomed"] and len(t["workers"]) == 2]
    assert (recovered["path"], recovered["status"]) == (
        "chihuy.alerts.tasks.alert_deliver_task",
        "SUCCESSFUL",
    )
    expected = Counter((s["position"], user) for s in state["steps"] for user in s["recipients"])
    in_app = Counter(
        (d["step__position"], d["user_id"]) for d in state["deliveries"] if d["channel"] == "in_app"
    )
    assert in_app == expected  # each step fired once
    sms = [d for d in state["deliveries"] if d["channel"] == "sms"]
    assert Counter((d["step__position"], d["user_id"]) for d in sms if d["status"] == "sent") == expected
    # The gateway saw each message under one key; only the one cut off came twice, and it is
    # recorded as interrupted, then sent.
    posted = Counter(r.headers["Idempotency-Key"] for r in gateway.requests)
    assert set(posted) == {d["key"] for d in sms}
    (cut_off,) = [key for key, n in posted.items() if n > 1]
    assert posted[cut_off] == 2
    attempts = [(d["attempt"], d["status"]) for d in sms if d["key"] == cut_off]
    assert attempts == [(1, "failed"), (2, "sent")]
