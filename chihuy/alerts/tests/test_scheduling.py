"""With the durable task backend, deadlines become queued tasks with run_after; the auditor stays single."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from chihuy.alerts.services import alert_raise, schedule_auditor
from chihuy.alerts.tasks import alert_audit_task, alert_escalate_task

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def db_backend(settings, time_machine):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
    time_machine.move_to(T0, tick=False)


def test_next_step_is_queued_for_its_due_time(
    world, make_record, db_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alert_raise(record=make_record(world.commune))
    escalations = DBTaskResult.objects.filter(task_path=alert_escalate_task.module_path, status="READY")
    assert [t.run_after for t in escalations] == [T0 + dt.timedelta(minutes=5)]
    assert DBTaskResult.objects.filter(task_path=alert_audit_task.module_path, status="READY").count() == 1


def test_only_one_auditor_waits(db, db_backend):
    schedule_auditor()
    schedule_auditor()
    call_command("alerts_audit", "--schedule", stdout=__import__("io").StringIO())
    waiting = DBTaskResult.objects.filter(task_path=alert_audit_task.module_path, status="READY")
    assert waiting.count() == 1
    assert waiting.get().run_after == T0 + dt.timedelta(seconds=30)
    # The running auditor re-arms itself even though its own row is RUNNING.
    waiting.update(status="RUNNING", started_at=T0)
    schedule_auditor()
    assert DBTaskResult.objects.filter(task_path=alert_audit_task.module_path, status="READY").count() == 0
    schedule_auditor(from_auditor=True)
    assert DBTaskResult.objects.filter(task_path=alert_audit_task.module_path, status="READY").count() == 1


def test_an_auditor_killed_mid_run_is_replaced(db, db_backend):
    schedule_auditor()
    auditors = DBTaskResult.objects.filter(task_path=alert_audit_task.module_path)
    # Running for 3 minutes (4 audit periods + 60 s): still taken for alive.
    auditors.update(status="RUNNING", started_at=T0 - dt.timedelta(seconds=180))
    schedule_auditor()
    assert not auditors.filter(status="READY").exists()
    # A second longer and its worker is taken for dead: a new auditor is booked.
    auditors.update(started_at=T0 - dt.timedelta(seconds=181))
    schedule_auditor()
    assert auditors.filter(status="READY").get().run_after == T0 + dt.timedelta(seconds=30)
