"""Workers that can die: heartbeats, and recovering the tasks a dead worker left RUNNING (issue 12).

django_tasks_db claims a task by marking its row RUNNING with the worker's id, then runs it.
A worker killed mid-task (``kill -9``, out of memory, a lost machine) leaves the row RUNNING
for ever and nothing runs it again. Every ``db_worker`` of ours
(``chihuy/core/management/commands/db_worker.py``) keeps a ``TaskWorker`` row fresh from a
heartbeat thread, and ``tasks_recover_stale`` queues a RUNNING row again (same arguments) when
its worker is gone, or marks it failed once it has been tried ``TASK_MAX_ATTEMPTS`` times (a
task that kills its worker every time must not loop for ever).

A worker is gone when its heartbeat is older than the lease (``CHIHUY_WORKER_LEASE_SECONDS``);
or it ran on this machine (the same process table) and its process no longer exists, which a
restarted worker sees at once; or, for a row claimed by a worker that never sent a heartbeat
(an older or foreign worker), when the task has been RUNNING longer than its kind's lease
(``settings.TASK_RUNNING_LEASES``).

Running a task twice is safe because every task is idempotent (house rule 7): escalation
claims each step, a delivery is claimed and carries an idempotency key, a notice records each
channel it was sent on. Limit: a live worker stuck inside a task keeps its heartbeat going, so
its task is not taken from it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Collection
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from chihuy.core.env import EnvError, env_seconds
from chihuy.core.models import TaskWorker

logger = logging.getLogger(__name__)

# A dead worker's row is kept this long after its last heartbeat, so that every queue's
# RUNNING rows are recovered from it (by the queue's worker or the alert auditor) first.
FORGET_DEAD_AFTER = dt.timedelta(hours=1)


class WorkerLost(Exception):
    """Recorded on a task whose worker died under it once too often."""


def heartbeat_seconds() -> float:
    return env_seconds("CHIHUY_WORKER_HEARTBEAT_SECONDS", 2.0)


def lease_seconds() -> float:
    """A worker whose heartbeat is older than this is taken for dead (several beats missed)."""
    lease = env_seconds("CHIHUY_WORKER_LEASE_SECONDS", 10.0)
    if lease <= 2 * heartbeat_seconds():
        raise EnvError("CHIHUY_WORKER_LEASE_SECONDS must exceed twice CHIHUY_WORKER_HEARTBEAT_SECONDS")
    return lease


def task_lease(task_path: str) -> dt.timedelta:
    leases = settings.TASK_RUNNING_LEASES
    return dt.timedelta(seconds=leases.get(task_path, leases["*"]))


def machine_id() -> str:
    """What a pid is relative to: host name, boot and pid namespace (two containers differ)."""
    parts = [socket.gethostname()]
    try:
        parts.append(Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8])
        parts.append(os.readlink("/proc/self/ns/pid"))
    except OSError:
        pass
    return " ".join(parts)[:200]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    try:
        # A killed child its parent has not reaped yet still answers kill(0): a zombie is dead.
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _gone(worker: TaskWorker, *, now: dt.datetime, here: str, lease: dt.timedelta) -> str | None:
    """Why ``worker`` is taken for dead, or None while it lives."""
    if worker.seen_at < now - lease:
        return f"no heartbeat for {(now - worker.seen_at).total_seconds():.0f} s"
    if worker.machine == here and worker.pid != os.getpid() and not pid_alive(worker.pid):
        return f"process {worker.pid} is gone"
    return None


def tasks_recover_stale(
    *,
    queue_names: Collection[str] | None = None,
    exclude_queues: Collection[str] = (),
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Queue again each RUNNING task whose worker is gone; fail it after ``TASK_MAX_ATTEMPTS`` runs.

    ``queue_names`` None means every queue. Safe to run from any number of workers at once:
    each row is taken back with a conditional UPDATE (still RUNNING, same start), so a task
    that finished meanwhile, or that another sweep already re-queued, is left alone.
    """
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    lease = dt.timedelta(seconds=lease_seconds())
    here = machine_id()
    running = DBTaskResult.objects.filter(status="RUNNING")
    if queue_names is not None:
        running = running.filter(queue_name__in=list(queue_names))
    if exclude_queues:
        running = running.exclude(queue_name__in=list(exclude_queues))
    rows = list(running.only("id", "task_path", "queue_name", "started_at", "worker_ids"))
    workers = {
        w.pk: w for w in TaskWorker.objects.filter(pk__in={r.worker_ids[-1] for r in rows if r.worker_ids})
    }
    counts = {"requeued": 0, "failed": 0}
    for row in rows:
        worker_id = row.worker_ids[-1] if row.worker_ids else ""
        worker = workers.get(worker_id)
        if worker is not None:
            reason = _gone(worker, now=now, here=here, lease=lease)
        elif row.started_at is None or row.started_at < now - task_lease(row.task_path):
            reason = "its worker sent no heartbeat and the task outran its lease"
        else:
            reason = None
        if reason is None:
            continue
        same_run = DBTaskResult.objects.filter(pk=row.pk, status="RUNNING", started_at=row.started_at)
        runs = len(row.worker_ids)
        if runs >= settings.TASK_MAX_ATTEMPTS:
            if same_run.update(
                status="FAILED",
                finished_at=now,
                return_value=None,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"WorkerLost: worker {worker_id} died under this task ({reason}); {runs} runs\n",
            ):
                counts["failed"] += 1
                logger.error(
                    "task %s %s (queue %s) failed: worker %s died under it (%s) on run %d",
                    row.pk, row.task_path, row.queue_name, worker_id, reason, runs,
                )  # fmt: skip
        elif same_run.update(status="READY"):
            counts["requeued"] += 1
            logger.warning(
                "task %s %s (queue %s) queued again: worker %s died under it (%s) on run %d",
                row.pk, row.task_path, row.queue_name, worker_id, reason, runs,
            )  # fmt: skip
    TaskWorker.objects.filter(seen_at__lt=now - lease - FORGET_DEAD_AFTER).delete()
    return counts


class Heartbeat:
    """Keeps this worker's ``TaskWorker`` row fresh from a thread, and sweeps its queues for
    tasks of dead workers every lease period (a peer on another machine died)."""

    def __init__(self, *, worker_id: str, queue_names: list[str] | None, exclude_queues: list[str]) -> None:
        self.worker_id = worker_id
        self.queue_names = queue_names
        self.exclude_queues = exclude_queues
        self.every = heartbeat_seconds()
        self.sweep_every = lease_seconds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="task-worker-heartbeat", daemon=True)

    def _describe(self) -> str:
        queues = ",".join(self.queue_names) if self.queue_names is not None else "*"
        if self.exclude_queues:
            queues += " -" + ",".join(self.exclude_queues)
        return queues[:200]

    def beat(self) -> None:
        now = timezone.now()
        if not TaskWorker.objects.filter(pk=self.worker_id).update(seen_at=now):
            TaskWorker.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={
                    "machine": machine_id(),
                    "pid": os.getpid(),
                    "queues": self._describe(),
                    "started_at": now,
                    "seen_at": now,
                },
            )

    def sweep(self) -> dict[str, int]:
        from chihuy.core.periodic import ensure_self_scheduling

        recovered = tasks_recover_stale(queue_names=self.queue_names, exclude_queues=self.exclude_queues)
        ensure_self_scheduling()  # the auditor and reminder chains, revived if a crash broke them
        return recovered

    def start(self) -> None:
        """Register, take back what dead workers left on our queues, then beat in the background."""
        self.beat()
        self.sweep()
        self._thread.start()

    def _run(self) -> None:
        last_sweep = timezone.now()
        try:
            while not self._stop.wait(self.every):
                try:
                    close_old_connections()
                    self.beat()
                    if (timezone.now() - last_sweep).total_seconds() >= self.sweep_every:
                        last_sweep = timezone.now()
                        self.sweep()
                except Exception:  # a database hiccup must not end the heartbeat for good
                    logger.exception("worker %s: heartbeat failed", self.worker_id)
        finally:
            connection.close()

    def stop(self) -> None:
        """A worker leaving cleanly says so: its row goes (it leaves no RUNNING task behind)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        try:
            TaskWorker.objects.filter(pk=self.worker_id).delete()
        except Exception:
            logger.exception("worker %s: could not unregister", self.worker_id)
