"""``python -m chihuy.core.serve``: the ASGI app in N uvicorn processes, one listening socket each.

Why not ``uvicorn --workers N``: there the processes share one listening socket, and the
process that happens to be awake accepts every pending connection. Long-lived keep-alive
connections (a call-centre gateway, a reverse proxy's upstream pool) then all land on one
process while the others idle: measured with the intake benchmark, one worker at 94 % of
a core, the other at 0 %. Here each process binds its own socket with ``SO_REUSEPORT`` and
the kernel spreads new connections across them.

The parent only supervises: it starts the workers, restarts one that dies (unless it dies
at start-up, which means the port or the app is broken: then it stops everything and
exits 1), and passes SIGTERM/SIGINT on for a graceful stop. Where ``SO_REUSEPORT`` does not
exist, or for one worker, it runs uvicorn in-process.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

APP = "chihuy.asgi:application"
STARTUP_GRACE_SECONDS = 5.0
# Each process keeps its own database pool (DB_POOL_MAX connections at most), so the
# default stays well under PostgreSQL's 100 connections on a big machine; set
# WEB_CONCURRENCY to go beyond, with max_connections raised to match.
DEFAULT_MAX_WORKERS = 8

logger = logging.getLogger("chihuy.serve")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m chihuy.core.serve", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY") or min(os.cpu_count() or 1, DEFAULT_MAX_WORKERS)),
        help="processes (default: WEB_CONCURRENCY, else one per CPU core up to 8)",
    )
    parser.add_argument("--log-level", default="warning")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser


def _die_with_parent() -> None:
    """Linux: a worker gets SIGTERM if the supervisor dies, even by SIGKILL (no orphans)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() == 1:  # the parent was already gone before the call
        sys.exit(0)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _config(args: argparse.Namespace) -> Any:
    import uvicorn

    # Open alert streams (SSE) never end by themselves: a stop waits 10 s for them at most.
    return uvicorn.Config(
        APP,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=10,
    )


def _serve_one(args: argparse.Namespace, sock: socket.socket | None = None) -> None:
    import uvicorn

    uvicorn.Server(_config(args)).run(sockets=[sock] if sock is not None else None)


def _child_command(args: argparse.Namespace) -> list[str]:
    return [
        sys.executable,
        "-m",
        "chihuy.core.serve",
        "--child",
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--log-level",
        args.log_level,
    ]


def _supervise(args: argparse.Namespace) -> int:
    stopping = False
    procs: list[tuple[subprocess.Popen[bytes], float]] = []

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for proc, _started in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def spawn() -> tuple[subprocess.Popen[bytes], float]:
        return subprocess.Popen(_child_command(args)), time.monotonic()

    procs.extend(spawn() for _ in range(args.workers))
    failed = False
    while procs:
        time.sleep(0.2)
        alive: list[tuple[subprocess.Popen[bytes], float]] = []
        for proc, started in procs:
            code = proc.poll()
            if code is None:
                alive.append((proc, started))
            elif stopping:
                continue
            elif time.monotonic() - started < STARTUP_GRACE_SECONDS:
                logger.error("worker %s exited at start-up (code %s): stopping", proc.pid, code)
                failed = True
                stop(signal.SIGTERM, None)
            else:
                logger.warning("worker %s exited (code %s): starting another", proc.pid, code)
                alive.append(spawn())
        procs[:] = alive
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chihuy.settings")
    if args.child:
        _die_with_parent()
        _serve_one(args, _listen(args.host, args.port))
        return 0
    if args.workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        _serve_one(args)
        return 0
    return _supervise(args)


if __name__ == "__main__":
    sys.exit(main())
