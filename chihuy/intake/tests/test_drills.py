"""Fault drills on the hotline (issue 12 §8, R3, R16): what fails is retried, nothing is lost or doubled.

Each drill runs the production server on the test database while a call centre's integration
logs calls through the API, each with its own ``Idempotency-Key``, retrying until answered;
then it counts records, alerts and first-step events lost or duplicated and gaps in the day's
numbers. The worker killed mid-chain is ``chihuy/alerts/tests/test_crash.py``; Redis
unreachable is ``chihuy/core/tests/test_redis_down.py``.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.db import connection

from chihuy.api.services import api_token_create
from chihuy.centres.choices import Role
from chihuy.core.testing.live import Launcher, UvicornThread, count_intakes, drive_intakes

pytestmark = pytest.mark.django_db(transaction=True)

NOTHING_LOST = {
    "unanswered": 0,
    "lost": 0,
    "duplicated": 0,
    "alerts_lost": 0,
    "alerts_duplicated": 0,
    "first_steps_lost": 0,
    "number_gaps": 0,
}


def _token(world) -> str:
    return api_token_create(user=world.user("commune", Role.DUTY_OFFICER), name="tổng đài")[1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's")
def test_database_connections_cut_under_load(world, _fresh_throttle_cache):
    """Four times during 90 calls, every connection of the server (its pool, its listener) is cut,
    as a database restart or a network blink does."""
    token = _token(world)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("pool", None)
    stop = threading.Event()
    cuts: list[int] = []

    def cutter() -> None:
        with psycopg.connect(**params, autocommit=True) as admin:
            for _ in range(4):
                if stop.wait(1.2):
                    return
                row = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchone()
                cuts.append(row[0] if row else 0)

    with UvicornThread() as server:
        thread = threading.Thread(target=cutter, daemon=True)
        thread.start()
        try:
            drive = drive_intakes(server.url, token=token, centre=world.commune, calls=90, spacing_s=0.3)
        finally:
            stop.set()
            thread.join(timeout=10)
    connection.close()  # this thread's connection was cut too
    assert len(cuts) == 4 and sum(cuts) > 0, "the drill must actually cut connections under the calls"
    assert count_intakes(drive, centre=world.commune) == NOTHING_LOST


def test_web_process_killed_under_load(world, tmp_path, _fresh_throttle_cache):
    """Two web processes; one is SIGKILLed twice while 90 calls come in; the launcher restarts it."""
    from chihuy.core.serve import STARTUP_GRACE_SECONDS

    token = _token(world)
    with Launcher(tmp_path, workers=2) as server:
        killed: list[float] = []

        def killer() -> None:
            for _ in range(2):
                # Past the launcher's start-up grace: a process dying younger than that means a
                # broken app or port, and the launcher stops everything instead of restarting it.
                time.sleep(STARTUP_GRACE_SECONDS + 1.5)
                server.kill_one()
                killed.append(time.monotonic())

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        drive = drive_intakes(server.url, token=token, centre=world.commune, calls=90, spacing_s=1.2)
        thread.join(timeout=30)
        assert len(killed) == 2 and killed[-1] < drive.ended, "both kills must fall inside the drive"
        assert len(server.children()) == 2  # the launcher brought the killed process back
    assert count_intakes(drive, centre=world.commune) == NOTHING_LOST
