"""Task queues, worker heartbeats, and taking back the tasks a dead worker left RUNNING (issue 12)."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import signal
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.tasks import Task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chihuy.core.models import TaskWorker
from chihuy.core.workers import WorkerLost, machine_id, tasks_recover_stale

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
ESCALATE = "chihuy.alerts.tasks.alert_escalate_task"
NOTICES = "chihuy.notifications.tasks.notification_deliver_task"


@pytest.fixture
def durable(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }


def _running(
    path: str = ESCALATE, *, workers: list[str], started: dt.datetime = T0, queue: str = "alerts"
) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING",
        task_path=path,
        queue_name=queue,
        backend_name="default",
        args_kwargs={"args": [], "kwargs": {"alert_id": 7}},
        run_after=started - dt.timedelta(seconds=1),
        started_at=started,
        worker_ids=workers,
        priority=50,
    )


def _worker(worker_id: str, *, seen: dt.datetime, machine: str = "another-host", pid: int = 4242) -> None:
    TaskWorker.objects.create(
        worker_id=worker_id, machine=machine, pid=pid, queues="alerts", started_at=seen, seen_at=seen
    )


def _status(row: DBTaskResult) -> str:
    row.refresh_from_db()
    return row.status


def test_alert_tasks_have_their_own_queue_and_everything_else_the_default_one(settings):
    assert set(settings.TASKS["default"]["QUEUES"]) == {"default", "alerts"}
    queues: dict[str, str] = {}
    for app in ("alerts", "briefings", "directives", "notifications", "reports", "roster"):
        module = importlib.import_module(f"chihuy.{app}.tasks")
        for value in vars(module).values():
            if isinstance(value, Task) and value.func.__module__ == module.__name__:
                queues[value.module_path] = value.queue_name
    alerts = {path for path, queue in queues.items() if queue == "alerts"}
    assert alerts == {
        "chihuy.alerts.tasks.alert_escalate_task",
        "chihuy.alerts.tasks.alert_deliver_task",
        "chihuy.alerts.tasks.alert_audit_task",
    }
    assert set(queues.values()) == {"alerts", "default"}
    assert queues[NOTICES] == "default"


def test_a_task_whose_worker_stopped_beating_is_queued_again_and_a_live_ones_is_left():
    _worker("dead", seen=T0 - dt.timedelta(seconds=11))
    _worker("alive", seen=T0 - dt.timedelta(seconds=1))
    lost = _running(workers=["dead"])
    kept = _running(workers=["alive"])
    assert tasks_recover_stale(now=T0) == {"requeued": 1, "failed": 0}
    lost.refresh_from_db()
    # The same task with the same arguments, ready at once; the dead worker stays on record.
    assert (lost.status, lost.args_kwargs, lost.worker_ids) == (
        "READY",
        {"args": [], "kwargs": {"alert_id": 7}},
        ["dead"],
    )
    assert DBTaskResult.objects.ready().filter(pk=lost.pk).exists()
    assert _status(kept) == "RUNNING"


def test_a_worker_process_gone_from_this_machine_is_known_dead_at_once():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    now = timezone.now()
    _worker("killed", seen=now, machine=machine_id(), pid=child.pid)
    _worker("running", seen=now, machine=machine_id(), pid=os.getppid())
    lost = _running(workers=["killed"], started=now)
    kept = _running(workers=["running"], started=now)
    assert tasks_recover_stale(now=now)["requeued"] == 1
    assert (_status(lost), _status(kept)) == ("READY", "RUNNING")


def test_a_worker_without_a_heartbeat_is_judged_by_the_task_kinds_lease(settings):
    settings.TASK_RUNNING_LEASES = {ESCALATE: 60, "*": 3600}
    young = _running(workers=["old-style"], started=T0 - dt.timedelta(seconds=59))
    overdue = _running(workers=["old-style"], started=T0 - dt.timedelta(seconds=61))
    bulk = _running(NOTICES, workers=["old-style"], started=T0 - dt.timedelta(seconds=61), queue="default")
    tasks_recover_stale(now=T0)
    assert [_status(r) for r in (young, overdue, bulk)] == ["RUNNING", "READY", "RUNNING"]


def test_only_the_queues_asked_for_are_swept():
    _worker("dead", seen=T0 - dt.timedelta(minutes=5))
    alert = _running(workers=["dead"])
    notice = _running(NOTICES, workers=["dead"], queue="default")
    tasks_recover_stale(queue_names=["alerts"], now=T0)
    assert (_status(alert), _status(notice)) == ("READY", "RUNNING")
    tasks_recover_stale(exclude_queues=["alerts"], now=T0)
    assert _status(notice) == "READY"


def test_a_task_that_its_workers_keep_dying_under_is_failed_not_retried_for_ever(settings, durable):
    settings.TASK_MAX_ATTEMPTS = 3
    _worker("w3", seen=T0 - dt.timedelta(minutes=5))
    row = _running(workers=["w1", "w2", "w3"])
    assert tasks_recover_stale(now=T0) == {"requeued": 0, "failed": 1}
    row.refresh_from_db()
    assert (row.status, row.finished_at) == ("FAILED", T0)
    assert row.task_result.errors[0].exception_class is WorkerLost
    assert "w3" in row.traceback


def test_dead_workers_are_forgotten_after_an_hour():
    _worker("long-dead", seen=T0 - dt.timedelta(hours=2))
    _worker("recent", seen=T0 - dt.timedelta(minutes=5))
    tasks_recover_stale(now=T0)
    assert list(TaskWorker.objects.values_list("pk", flat=True)) == ["recent"]


@pytest.fixture
def keep_signal_handlers():
    """The worker installs its own SIGINT/SIGTERM handlers; the test run gets its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


# The worker commits and closes connections as it goes: it needs real transactions.
@pytest.mark.django_db(transaction=True)
def test_db_worker_takes_back_a_dead_workers_task_at_start_and_runs_it(durable, keep_signal_handlers):
    now = timezone.now()
    _worker("dead", seen=now - dt.timedelta(minutes=1))
    row = _running(workers=["dead"], started=now - dt.timedelta(minutes=1))
    call_command(
        "db_worker", "--batch", "--queue-name", "alerts", "--no-reload", "--worker-id", "w-test", verbosity=0
    )
    row.refresh_from_db()
    assert (row.status, row.worker_ids) == ("SUCCESSFUL", ["dead", "w-test"])
    # A worker that stops cleanly takes its heartbeat row with it.
    assert not TaskWorker.objects.filter(pk="w-test").exists()


def test_a_workers_sweep_revives_the_auditor_chain_a_crash_broke(durable):
    from chihuy.alerts.tasks import alert_audit_task
    from chihuy.core.workers import Heartbeat

    assert not DBTaskResult.objects.filter(task_path=alert_audit_task.module_path).exists()
    Heartbeat(worker_id="w-sweep", queue_names=["alerts"], exclude_queues=[]).sweep()
    Heartbeat(worker_id="w-sweep-2", queue_names=None, exclude_queues=["alerts"]).sweep()
    waiting = DBTaskResult.objects.filter(task_path=alert_audit_task.module_path, status="READY")
    assert waiting.count() == 1  # booked once, however many workers sweep


def test_check_deploy_refuses_a_task_backend_that_keeps_follow_ups_in_memory(settings):
    from chihuy.core.checks import durable_task_backend

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    assert [m.id for m in durable_task_backend()] == ["chihuy.E001"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    assert durable_task_backend() == []
