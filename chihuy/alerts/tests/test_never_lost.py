"""An urgent record is never without its alert (issue 12 §2, R3).

The record, its alert with the frozen chain, the first step's in-app events and the queued
follow-ups (external sends, the next step's wake-up) are written in one transaction; the
auditor raises whatever reached the table some other way, and says so on the record.
"""

from __future__ import annotations

import datetime as dt
import logging

import psycopg
import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chihuy.alerts.models import Alert, AlertDelivery
from chihuy.alerts.services import alert_audit, alert_policy_update, alert_raise
from chihuy.alerts.tasks import alert_deliver_task, alert_escalate_task
from chihuy.centres.choices import Role, Sector
from chihuy.intake.choices import EventKind
from chihuy.intake.services import intake_create

DURABLE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "alerts"]}}


def _urgent_call(world) -> dict:
    return {
        "channel": "hotline",
        "reporter_phone": "0912345678",
        "jurisdiction": world.commune.jurisdiction,
        "category": Sector.ISOLATION,
        "content": "Người từ vùng dịch về sốt cao, chưa cách ly",
        "urgent": True,
        "urgency_reason": "Ca nghi nhiễm chưa cách ly",
    }


def _queued(task_obj) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task_obj.module_path))


@pytest.mark.django_db
def test_follow_ups_are_rows_of_the_records_transaction(world, settings, django_capture_on_commit_callbacks):
    settings.TASKS = DURABLE
    alert_policy_update(centre=world.commune, sms_enabled=True, sms_webhook_url="http://127.0.0.1:9/sms")
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        record = intake_create(centre=world.commune, received_by=None, **_urgent_call(world))
        # Inside the transaction, before any commit: the sends and the next step are queued.
        assert len(_queued(alert_deliver_task)) == 1
        [wake] = _queued(alert_escalate_task)
        assert wake.run_after == record.alerts.get().steps.get(position=1).due_at
    assert AlertDelivery.objects.filter(alert__record=record, channel="sms", status="pending").exists()


@pytest.mark.django_db
def test_a_rolled_back_record_leaves_no_alert_and_no_task(world, settings):
    settings.TASKS = DURABLE

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        intake_create(centre=world.commune, received_by=None, **_urgent_call(world))
        raise Undo
    assert not Alert.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's")
def test_connection_cut_right_after_the_commit_still_alerts(world, settings):
    """The drill of issue 12: the client got its answer, the connection died before any
    after-commit hook could run; the alert, its first events and its follow-ups are there."""
    settings.TASKS = DURABLE
    alert_policy_update(centre=world.commune, sms_enabled=True, sms_webhook_url="http://127.0.0.1:9/sms")
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("pool", None)

    def cut(pid: int) -> None:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        transaction.on_commit(lambda: cut(pid))  # runs first, before every hook registered after it
        record = intake_create(centre=world.commune, received_by=None, **_urgent_call(world))
    connection.close()  # the old connection is dead; the next query opens a new one

    alert = Alert.objects.get(record=record)
    assert alert.steps.get(position=0).fired_at is not None
    commander = world.user("commune", Role.COMMANDER)
    assert AlertDelivery.objects.filter(alert=alert, user=commander, channel="in_app").exists()
    assert len(_queued(alert_deliver_task)) == 1  # the SMS will go out
    assert len(_queued(alert_escalate_task)) == 1  # the next step will fire


@pytest.mark.django_db
def test_auditor_raises_the_alert_of_an_urgent_record_without_one(world, make_record, caplog):
    record = make_record(world.commune)  # written straight to the table: no alert
    old = make_record(world.commune)
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    with caplog.at_level(logging.WARNING, logger="chihuy.alerts.services"):
        result = alert_audit()
    assert result["raised"] == 1
    assert record.alerts.get().steps.get(position=0).fired_at is not None
    assert not old.alerts.exists()  # a day old: history, not an emergency to replay
    note = record.events.get(kind=EventKind.NOTE)
    assert "báo khẩn còn thiếu" in note.note
    assert record.number in caplog.text
    assert alert_audit()["raised"] == 0  # idempotent


@pytest.mark.django_db
def test_auditor_fires_a_first_step_that_never_fired_and_notes_it(world, make_record):
    record = make_record(world.commune)
    alert = alert_raise(record=record)
    alert.steps.filter(position=0).update(fired_at=None)
    AlertDelivery.objects.filter(alert=alert).delete()
    result = alert_audit()
    assert result["fired"] >= 1
    assert alert.steps.get(position=0).fired_at is not None
    assert AlertDelivery.objects.filter(alert=alert, channel="in_app").exists()
    assert "bước báo khẩn đầu tiên" in record.events.get(kind=EventKind.NOTE).note


@pytest.mark.django_db
def test_other_follow_ups_are_rows_of_their_transaction_too(
    world, settings, django_capture_on_commit_callbacks
):
    """Notices' outside sends and report reminders: queued inside the writing transaction."""
    from chihuy.notifications.services import notify_users
    from chihuy.notifications.tasks import notification_deliver_task
    from chihuy.reports.services import reporting_settings_update
    from chihuy.reports.tasks import reports_reminders_task

    settings.TASKS = DURABLE
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        notify_users(
            users=[world.user("commune", Role.COMMANDER)],
            subject="Lịch trực mới",
            body="…",
            channels=["email"],
        )
        reporting_settings_update(centre=world.district, deadline=dt.time(16, 30))
        assert len(_queued(notification_deliver_task)) == 1
        assert len(_queued(reports_reminders_task)) == 1
