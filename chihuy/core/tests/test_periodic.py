from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.management import call_command

from chihuy.core.periodic import PERIODIC_JOBS, ensure_pending, next_local

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def durable(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }


def test_next_local_is_today_before_the_time_and_tomorrow_after():
    before = dt.datetime(2026, 11, 27, 6, 0, tzinfo=HCM)
    after = dt.datetime(2026, 11, 27, 8, 0, tzinfo=HCM)
    assert next_local(dt.time(7), now=before) == dt.datetime(2026, 11, 27, 7, 0, tzinfo=HCM)
    assert next_local(dt.time(7), now=after) == dt.datetime(2026, 11, 28, 7, 0, tzinfo=HCM)


@pytest.mark.django_db
def test_schedule_jobs_books_each_job_once_however_often_it_runs(durable, capsys):
    from django_tasks_db.models import DBTaskResult

    call_command("schedule_jobs")
    call_command("schedule_jobs")
    for path, _ in PERIODIC_JOBS:
        assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1
    auditor = "chihuy.alerts.tasks.alert_audit_task"
    assert DBTaskResult.objects.filter(task_path=auditor, status="READY").count() == 1
    assert "vừa đặt lịch 0" in capsys.readouterr().out.splitlines()[-1]


@pytest.mark.django_db
def test_ensure_pending_distinguishes_arguments(durable):
    from django_tasks_db.models import DBTaskResult

    from chihuy.roster.tasks import coverage_gaps_notify

    due = dt.datetime(2030, 1, 1, 7, tzinfo=HCM)
    assert ensure_pending(coverage_gaps_notify, run_after=due, args=(1,))
    assert not ensure_pending(coverage_gaps_notify, run_after=due, args=(1,))
    assert ensure_pending(coverage_gaps_notify, run_after=due, args=(2,))
    assert DBTaskResult.objects.filter(task_path=coverage_gaps_notify.module_path).count() == 2


def test_immediate_backend_books_nothing(db):
    from chihuy.roster.tasks import coverage_gaps_daily

    assert not ensure_pending(coverage_gaps_daily, run_after=dt.datetime(2030, 1, 1, tzinfo=HCM))


@pytest.mark.django_db
def test_rebook_if_later_books_an_earlier_due_time_but_not_a_later_one(durable):
    from django_tasks_db.models import DBTaskResult

    from chihuy.roster.tasks import coverage_gaps_daily

    at_16 = dt.datetime(2030, 1, 1, 16, tzinfo=HCM)
    hour = dt.timedelta(hours=1)
    assert ensure_pending(coverage_gaps_daily, run_after=at_16, rebook_if_later=True)
    # A later due time is covered by the run already waiting at 16:00.
    assert not ensure_pending(coverage_gaps_daily, run_after=at_16 + hour, rebook_if_later=True)
    assert not ensure_pending(coverage_gaps_daily, run_after=at_16, rebook_if_later=True)
    # The due time moved earlier: a run is booked for it, the 16:00 one stays.
    assert ensure_pending(coverage_gaps_daily, run_after=at_16 - hour, rebook_if_later=True)
    waiting = DBTaskResult.objects.filter(task_path=coverage_gaps_daily.module_path, status="READY")
    assert sorted(waiting.values_list("run_after", flat=True)) == [at_16 - hour, at_16]
    # Without the option any waiting run counts, however late.
    assert not ensure_pending(coverage_gaps_daily, run_after=at_16 - 5 * hour)


@pytest.mark.django_db
def test_stale_running_after_replaces_a_dead_run_but_not_a_live_one(durable, time_machine):
    from django_tasks_db.models import DBTaskResult

    from chihuy.roster.tasks import coverage_gaps_daily

    now = dt.datetime(2030, 1, 1, 8, tzinfo=HCM)
    time_machine.move_to(now, tick=False)
    stale = dt.timedelta(minutes=5)
    assert ensure_pending(coverage_gaps_daily, run_after=now)
    rows = DBTaskResult.objects.filter(task_path=coverage_gaps_daily.module_path)
    rows.update(status="RUNNING", started_at=now - dt.timedelta(minutes=4))
    # Started 4 minutes ago: alive, it re-books itself when done.
    assert not ensure_pending(coverage_gaps_daily, run_after=now, stale_running_after=stale)
    # Without the option (the running job re-booking itself) a RUNNING row never counts.
    assert ensure_pending(coverage_gaps_daily, run_after=now)
    rows.filter(status="READY").delete()
    # Started 6 minutes ago: its worker is taken for dead and another run is booked.
    rows.update(started_at=now - dt.timedelta(minutes=6))
    assert ensure_pending(coverage_gaps_daily, run_after=now, stale_running_after=stale)
    assert rows.filter(status="READY").count() == 1
    assert not ensure_pending(coverage_gaps_daily, run_after=now, stale_running_after=stale)
