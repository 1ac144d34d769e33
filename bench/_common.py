"""What the benchmarks that run the real server share: production settings, the launcher, percentiles.

``bench/intake_alert.py`` and ``bench/load.py`` import this module by its bare name (``python
bench/x.py`` puts ``bench/`` first on ``sys.path``).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
# The clients send the header a TLS-terminating proxy adds (BEHIND_TLS_PROXY=true).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def production_env() -> None:
    """Measure what production runs: DEBUG off (no query log), hardened settings, behind a TLS proxy."""
    os.environ.update(
        CHIHUY_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        BEHIND_TLS_PROXY="true",
    )


def postgres_url(default: str, bench: str) -> str:
    url = os.environ.get("DATABASE_URL") or default
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"{bench} needs PostgreSQL: set DATABASE_URL=postgres://…")
    return url


def recreate_database(url: str) -> None:
    """Drop and create the bench's own PostgreSQL database (never the one the app runs on)."""
    import psycopg

    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    """Django on the bench's database, migrated."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chihuy.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def province_centre() -> Any:
    """The Vĩnh Phúc province centre, active, on a fresh database (after ``setup_django``)."""
    from chihuy.centres.choices import CentreLevel
    from chihuy.centres.models import Centre
    from chihuy.jurisdictions.choices import Level, Structure
    from chihuy.jurisdictions.models import Jurisdiction

    province = Jurisdiction.objects.create(
        structure=Structure.LEGACY, level=Level.PROVINCE, code=26, name="Tỉnh Vĩnh Phúc", kind="tinh"
    )
    centre = Centre(
        name="Trung tâm chỉ huy tỉnh Vĩnh Phúc",
        short_code="VP",
        level=CentreLevel.PROVINCE,
        jurisdiction=province,
        status="active",
    )
    centre.save()
    if not centre.path:
        centre.path = f"/{centre.pk}/"
        Centre.objects.filter(pk=centre.pk).update(path=centre.path)
    return centre


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_stack(
    url: str, port: int, *, workers: str, log: IO[bytes] | None = None
) -> list[subprocess.Popen[bytes]]:
    """The production launcher (one uvicorn process per worker, ``make run``'s) and its two task
    workers: urgent alerts on their own queue, the rest on another."""
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chihuy.core.serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            workers,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    task_workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", *queue_args, "--no-reload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        for queue_args in (
            ["--queue-name", "alerts", "--interval", "0.25", "--no-startup-delay"],
            ["--queue-name", "*", "--exclude-queues", "alerts", "--interval", "0.2"],
        )
    ]
    return [server, *task_workers]


def stop_stack(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


async def wait_ready(base: str) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(300):
            try:
                if (await client.get("/healthz", headers=PROXY_HEADERS)).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the ASGI server did not start")


def pct(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (nearest rank), rounded to 0.1; None without samples."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def quiet_http_logs() -> None:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
