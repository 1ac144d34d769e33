"""Benchmark: do urgent-alert steps fire on time while bulk notices wait, and after the alerts
worker is killed? (issue 12)

Against PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/chihuy_bench_escalation;
the database is dropped, created and migrated by this script). Starts the two task workers as
``scripts/run-server`` does, and a stand-in SMS gateway on 127.0.0.1 that takes
BENCH_NOTICE_SMS_MS (20) per notice message and BENCH_ALERT_SMS_MS (100) per alert message.

1. Queues BENCH_NOTICES (1,000) notices through ``notify_users`` (in-app, e-mail on the console
   backend, SMS to the gateway) to BENCH_NOTICE_BATCH (25) people at a time, as a centre-wide
   reminder goes: one delivery task per batch, on the "default" queue. With batches of 1, a
   single worker keeps up too (it takes the higher-priority alert task between two short
   notice tasks); a long bulk task is what held steps back before the queues were split.
2. Starts the workers, then raises BENCH_ALERTS (8) urgent alerts 1.5 s apart, each a chain of
   6 steps every 4 s: steps fall due over about 30 s, while the notices are being sent.
3. BENCH_KILL_AT (12) s after the first alert, SIGKILLs the alerts worker (the moment it is
   running a task, if that comes within 3 s), keeps it down BENCH_DOWN (3) s, starts it again.

Measures ``fired_at - due_at`` of every step a worker fired (the first step of each alert fires
in the raising process itself and is not counted):

- ``late_p50_ms`` / ``late_p95_ms`` / ``late_max_ms``: steps due before the kill;
- ``after_restart_max_ms``: steps due from the kill on, late counted from ``max(due, restart)``
  (the restart is the moment the new process is spawned, Python and Django start-up included);
  ``after_worker_start_max_ms`` counts from the new worker's first heartbeat instead;
- ``stale_recovered``: task rows run again after their worker died (two worker ids);
- ``notice_tasks_left``: notice tasks still waiting when the last step fired (never ran dry);
- ``sms_sent_twice``: alert SMS the gateway received more than once under one idempotency key.

``BENCH_SINGLE_WORKER=1`` runs the layout before issue 12 (one worker for every queue) for
comparison; ``BENCH_VERBOSE=1`` logs each step due after the kill. Prints exactly one JSON
line (house style rule 18).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from _common import pct, province_centre, recreate_database, setup_django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chihuy_bench_escalation"
NOTICES = int(os.environ.get("BENCH_NOTICES", "1000"))
BATCH = int(os.environ.get("BENCH_NOTICE_BATCH", "25"))
ALERTS = int(os.environ.get("BENCH_ALERTS", "8"))
ALERT_GAP = 1.5
STEP_SECONDS = 4.0
REPEATS = 3  # × 2 links (commander, deputies) = 6 steps per alert
KILL_AT = float(os.environ.get("BENCH_KILL_AT", "12"))
DOWN = float(os.environ.get("BENCH_DOWN", "3"))
NOTICE_SMS_MS = float(os.environ.get("BENCH_NOTICE_SMS_MS", "20"))
ALERT_SMS_MS = float(os.environ.get("BENCH_ALERT_SMS_MS", "100"))
SINGLE = os.environ.get("BENCH_SINGLE_WORKER") == "1"
ALERTS_WORKER = ["--queue-name", "alerts", "--interval", "0.25", "--no-startup-delay"]
REST_WORKER = ["--queue-name", "*", "--exclude-queues", "alerts"]
ALL_WORKER = ["--queue-name", "*"]


def _log(msg: str) -> None:
    print(f"[bench-escalation] {msg}", file=sys.stderr, flush=True)


class Gateway:
    """An SMS gateway that takes its time and counts the idempotency keys it receives."""

    def __init__(self) -> None:
        self.keys: Counter[str] = Counter()
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                time.sleep((NOTICE_SMS_MS if not body.get("alert") else ALERT_SMS_MS) / 1000)
                if body.get("alert"):
                    with gateway.lock:
                        gateway.keys[self.headers.get("Idempotency-Key", "")] += 1
                answer = json.dumps({"message_id": secrets.token_hex(8)}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the sender was killed

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _setup(url: str, gateway: Gateway) -> dict[str, Any]:
    setup_django(url)
    import django
    from django.conf import settings

    from chihuy.alerts.models import AlertPolicy
    from chihuy.centres.choices import Role
    from chihuy.centres.models import Member

    user_model = django.apps.apps.get_model(settings.AUTH_USER_MODEL)
    centre = province_centre()
    people = []
    for n, role in enumerate([Role.COMMANDER, Role.DEPUTY, Role.DEPUTY] + [Role.MEMBER] * BATCH):
        user = user_model.objects.create_user(
            username=f"bench_{role}_{n}", password="x" * 16, email=f"u{n}@example.vn"
        )
        user.phone = f"09120000{n:02d}"
        user.save(update_fields=["phone"])
        Member.objects.create(centre=centre, user=user, role=role)
        people.append(user)
    AlertPolicy.objects.create(
        centre=centre,
        minutes=STEP_SECONDS / 60,
        repeats=REPEATS,
        email_enabled=True,
        sms_enabled=True,
        sms_webhook_url=gateway.url,
    )
    return {"centre": centre, "staff": people[3:]}


def _queue_notices(ctx: dict[str, Any]) -> None:
    from chihuy.notifications.services import notify_users

    for n in range(0, NOTICES, BATCH):
        notify_users(
            users=ctx["staff"][: min(BATCH, NOTICES - n)],
            subject=f"Nhắc báo cáo ngày số {n}",
            body="Đề nghị gửi báo cáo ngày trước 17:00.",
            centre=ctx["centre"],
            kind="bench",
            channels=["in_app", "email", "sms"],
        )


def _raise_alert(centre: Any, n: int) -> None:
    from chihuy.alerts.services import alert_raise
    from chihuy.intake.models import IntakeRecord

    record = IntakeRecord.objects.create(
        centre=centre,
        number=f"VP-20261122-{n:04d}",
        tracking_code=f"BENCH{n:05d}",
        content=f"Ca nghi nhiễm số {n}",
        address="Thôn 1",
        anonymous=True,
        urgent=True,
        urgency_reason="Ca nghi nhiễm chưa cách ly",
    )
    alert_raise(record=record)


def _spawn(env: dict[str, str], args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as err:
        return subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", *args, "--no-reload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _wait_workers(count: int, timeout: float = 60) -> None:
    from chihuy.core.models import TaskWorker

    deadline = time.monotonic() + timeout
    while TaskWorker.objects.count() < count:
        if time.monotonic() > deadline:
            raise RuntimeError("the task workers did not start")
        time.sleep(0.05)


def main() -> None:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench-escalation needs PostgreSQL: set DATABASE_URL=postgres://…")
    os.environ.update(
        CHIHUY_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        EMAIL_URL="console:",
        LOG_LEVEL="WARNING",
    )
    gateway = Gateway()
    _log("preparing the database")
    recreate_database(url)
    ctx = _setup(url, gateway)
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from chihuy.alerts.models import AlertStep
    from chihuy.core.models import TaskWorker

    _log(f"queueing {NOTICES} notices")
    _queue_notices(ctx)
    env = {**os.environ, "DATABASE_URL": url}
    logs = Path(tempfile.mkdtemp(prefix="bench-escalation-"))
    alerts_args = ALL_WORKER if SINGLE else ALERTS_WORKER
    procs: list[subprocess.Popen[bytes]] = []
    killed_running = False
    try:
        procs.append(_spawn(env, alerts_args, logs / "alerts-worker.log"))
        if not SINGLE:
            procs.append(_spawn(env, REST_WORKER, logs / "rest-worker.log"))
        _wait_workers(len(procs))
        _log("workers up; raising alerts")
        first = time.time()
        for n in range(ALERTS):
            time.sleep(max(0.0, first + n * ALERT_GAP - time.time()))
            _raise_alert(ctx["centre"], n)
        time.sleep(max(0.0, first + KILL_AT - time.time()))
        # Kill it in the middle of a task if one comes along within 3 s.
        deadline = time.monotonic() + 3
        queues = ["alerts", "default"] if SINGLE else ["alerts"]
        while time.monotonic() < deadline:
            if DBTaskResult.objects.filter(status="RUNNING", queue_name__in=queues).exists():
                killed_running = True
                break
            time.sleep(0.01)
        alerts_worker = procs[0]
        alerts_worker.send_signal(signal.SIGKILL)
        killed = time.time()
        alerts_worker.wait()
        _log(f"alerts worker killed (mid-task: {killed_running}); down for {DOWN:g} s")
        time.sleep(DOWN)
        restarted = time.time()
        procs[0] = _spawn(env, alerts_args, logs / "alerts-worker.log")
        total = AlertStep.objects.count()
        deadline = time.monotonic() + 120
        while AlertStep.objects.filter(fired_at__isnull=False).count() < total:
            if time.monotonic() > deadline:
                _log("some steps never fired")
                break
            time.sleep(0.1)
        last_fired = time.time()
        notices_left = DBTaskResult.objects.filter(
            task_path="chihuy.notifications.tasks.notification_deliver_task", status="READY"
        ).count()
        restarted_at = dt.datetime.fromtimestamp(restarted, tz=dt.UTC)
        worker_start = max(
            (w.started_at.timestamp() for w in TaskWorker.objects.filter(started_at__gte=restarted_at)),
            default=restarted,
        )
        time.sleep(1)  # let the last deliveries finish before the workers stop
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    before: list[float] = []
    after_restart: list[float] = []
    after_start: list[float] = []
    unfired = 0
    for due_at, fired_at in AlertStep.objects.filter(position__gt=0).values_list("due_at", "fired_at"):
        if fired_at is None:
            unfired += 1
            continue
        due, fired = due_at.timestamp(), fired_at.timestamp()
        if due < killed:
            before.append((fired - due) * 1000)
        else:
            if os.environ.get("BENCH_VERBOSE"):
                _log(f"due {due - restarted:+.2f} s fired {fired - restarted:+.2f} s from restart")
            after_restart.append((fired - max(due, restarted)) * 1000)
            after_start.append((fired - max(due, worker_start)) * 1000)
    with connection.cursor() as cursor:
        table = DBTaskResult._meta.db_table
        cursor.execute(f"SELECT count(*) FROM {table} WHERE jsonb_array_length(worker_ids::jsonb) > 1")
        stale_recovered = cursor.fetchone()[0]
    requeue_logged = (logs / "alerts-worker.log").read_text(errors="replace").count("queued again")
    print(
        json.dumps(
            {
                "bench": "escalation",
                "database": "postgresql",
                "layout": "one worker, all queues" if SINGLE else "alerts worker + default worker",
                "notices_queued": NOTICES,
                "notice_tasks": -(-NOTICES // BATCH),
                "notice_tasks_left": notices_left,
                "steps": len(before) + len(after_restart),
                "steps_unfired": unfired,
                "late_p50_ms": pct(before, 0.50),
                "late_p95_ms": pct(before, 0.95),
                "late_max_ms": round(max(before), 1) if before else None,
                "steps_after_kill": len(after_restart),
                "after_restart_max_ms": round(max(after_restart), 1) if after_restart else None,
                "after_worker_start_max_ms": round(max(after_start), 1) if after_start else None,
                "worker_startup_ms": round((worker_start - restarted) * 1000, 1),
                "killed_mid_task": killed_running,
                "stale_recovered": stale_recovered,
                "requeue_log_lines": requeue_logged,
                "sms_sent_twice": sum(1 for n in gateway.keys.values() if n > 1),
                "seconds": round(last_fired - first, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
