from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from chihuy.alerts.models import AlertPolicy
from chihuy.notifications.models import Notification
from chihuy.reports import reminders, services
from chihuy.reports.choices import ReminderKind
from chihuy.reports.models import ReminderLog
from chihuy.reports.tests.conftest import TODAY
from chihuy.reports.tests.factories import local, submit

pytestmark = pytest.mark.django_db


def _run(at, capture):
    with time_machine.travel(at, tick=False), capture(execute=True):
        return reminders.send_due_reminders()


def test_nothing_before_16h(world, django_capture_on_commit_callbacks):
    assert _run(local(TODAY, 15, 59), django_capture_on_commit_callbacks) == []
    assert not Notification.objects.exists()


def test_16h_reminds_only_children_that_have_not_filed(world, django_capture_on_commit_callbacks):
    with time_machine.travel(local(TODAY, 15), tick=False):
        submit(world.commune, TODAY)
    sent = _run(
        local(
            TODAY,
            16,
            0,
        ),
        django_capture_on_commit_callbacks,
    )
    assert (world.district.pk, ReminderKind.FIRST) in sent
    to_sibling = Notification.objects.filter(centre=world.sibling)
    # Filers of the sibling commune: commander, deputy, standing unit, duty officer.
    assert sorted(n.user.username for n in to_sibling) == [
        "sibling_commander",
        "sibling_deputy",
        "sibling_duty_officer",
        "sibling_standing",
    ]
    assert not Notification.objects.filter(centre=world.commune).exists()
    assert "Nhắc nộp báo cáo ngày 22/11/2026 trước 17:00" in to_sibling.first().subject
    assert to_sibling.first().url == f"/reports/centre/{world.sibling.pk}/day/2026-11-22/file/"
    assert any("sibling_duty_officer@example.test" in m.to for m in mail.outbox)


def test_a_restart_never_sends_twice(world, django_capture_on_commit_callbacks):
    _run(local(TODAY, 16, 1), django_capture_on_commit_callbacks)
    count = Notification.objects.count()
    assert count > 0
    assert _run(local(TODAY, 16, 2), django_capture_on_commit_callbacks) == []
    assert Notification.objects.count() == count


def test_second_reminder_at_1645_and_missing_list_to_standing_at_17h(
    world, django_capture_on_commit_callbacks
):
    _run(local(TODAY, 16), django_capture_on_commit_callbacks)
    second = _run(local(TODAY, 16, 45), django_capture_on_commit_callbacks)
    assert (world.district.pk, ReminderKind.SECOND) in second
    at_deadline = _run(local(TODAY, 17), django_capture_on_commit_callbacks)
    assert (world.district.pk, ReminderKind.MISSING) in at_deadline
    to_standing = Notification.objects.get(
        centre=world.district, user=world.user("district", "standing"), subject__contains="chưa nộp"
    )
    assert "2 đơn vị chưa nộp báo cáo ngày 22/11/2026" in to_standing.subject
    assert "Trung tâm chỉ huy phường Liên Bảo" in to_standing.body
    assert "Trung tâm chỉ huy phường Tích Sơn" in to_standing.body
    # The province is told that its district is missing; nobody else at the district gets the list.
    assert not Notification.objects.filter(
        centre=world.district, user=world.user("district", "commander"), subject__contains="chưa nộp"
    ).exists()
    assert Notification.objects.filter(
        centre=world.province, user=world.user("province", "standing")
    ).exists()


def test_missed_reminders_are_not_sent_late(world, django_capture_on_commit_callbacks):
    sent = _run(local(TODAY, 17, 30), django_capture_on_commit_callbacks)
    assert {kind for _pk, kind in sent} == {ReminderKind.MISSING}
    kinds = set(ReminderLog.objects.filter(centre=world.district).values_list("kind", flat=True))
    assert kinds == {ReminderKind.FIRST, ReminderKind.SECOND, ReminderKind.MISSING}
    assert not Notification.objects.filter(centre=world.sibling).exists()


def test_reminders_follow_the_parents_deadline(world, django_capture_on_commit_callbacks):
    with time_machine.travel(local(TODAY, 10), tick=False):
        services.reporting_settings_update(centre=world.district, deadline=dt.time(11, 0))
    sent = _run(local(TODAY, 10, 50), django_capture_on_commit_callbacks)
    assert (world.district.pk, ReminderKind.SECOND) in sent
    assert (world.province.pk, ReminderKind.FIRST) not in sent


def test_next_reminder_time(world):
    assert reminders.next_reminder_at(now=local(TODAY, 15)) == local(TODAY, 16)
    assert reminders.next_reminder_at(now=local(TODAY, 16, 30)) == local(TODAY, 16, 45)
    assert reminders.next_reminder_at(now=local(TODAY, 17, 1)) == local(TODAY + dt.timedelta(days=1), 16)


def test_scheduled_task_is_stored_with_its_due_time_and_not_duplicated(world, settings):
    from django_tasks_db.models import DBTaskResult

    from chihuy.reports.tasks import reports_reminders_task, schedule_reminders

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
    with time_machine.travel(local(TODAY, 15), tick=False):
        assert schedule_reminders() == local(TODAY, 16)
        assert schedule_reminders() == local(TODAY, 16)
    waiting = DBTaskResult.objects.filter(task_path=reports_reminders_task.module_path, status="READY")
    assert waiting.count() == 1
    assert waiting.get().run_after == local(TODAY, 16)


def test_task_sends_and_rebooks(world, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from chihuy.reports.tasks import reports_reminders_task

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
    with (
        time_machine.travel(local(TODAY, 16, 5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert reports_reminders_task.call() == 2  # the district's communes and the province's district
    waiting = DBTaskResult.objects.get(status="READY", task_path=reports_reminders_task.module_path)
    assert waiting.run_after == local(TODAY, 16, 45)


def _phones(world, key):
    for (centre, _role), user in world.users.items():
        if centre == key:
            user.phone = f"09{user.pk:08d}"
            user.save()


def test_reminders_travel_on_the_recipient_centres_alert_channels(
    world, gateway, django_capture_on_commit_callbacks
):
    _phones(world, "sibling")
    AlertPolicy.objects.create(
        centre=world.sibling, email_enabled=False, sms_enabled=True, sms_webhook_url=f"{gateway.url}/sms"
    )
    with time_machine.travel(local(TODAY, 15), tick=False):
        submit(world.commune, TODAY)
    _run(local(TODAY, 16), django_capture_on_commit_callbacks)

    to_sibling = list(Notification.objects.filter(centre=world.sibling))
    assert len(to_sibling) == 4
    assert all(n.channels == ["in_app", "sms"] for n in to_sibling)
    assert all(n.deliveries["sms"]["status"] == "sent" for n in to_sibling)
    posted = sorted(r.json()["to"] for r in gateway.requests if r.path == "/sms")
    assert posted == sorted(n.user.phone for n in to_sibling)
    assert all("chưa nộp báo cáo hằng ngày ngày 22/11/2026" in r.json()["text"] for r in gateway.requests)
    assert not any(m.to == [n.user.email] for m in mail.outbox for n in to_sibling)  # e-mail turned off
    # The province has no policy: its district is reminded on the default channels.
    to_district = Notification.objects.filter(centre=world.district)
    assert to_district.exists() and all(n.channels == ["in_app", "email"] for n in to_district)


def test_missing_list_uses_the_parents_channels(world, gateway, django_capture_on_commit_callbacks):
    _phones(world, "district")
    AlertPolicy.objects.create(
        centre=world.district,
        sms_enabled=True,
        sms_webhook_url=f"{gateway.url}/sms",
        zalo_enabled=True,
        zalo_webhook_url=f"{gateway.url}/zalo",
    )
    _run(local(TODAY, 17), django_capture_on_commit_callbacks)
    notice = Notification.objects.get(centre=world.district, user=world.user("district", "standing"))
    assert notice.channels == ["in_app", "email", "sms", "zalo"]
    assert gateway.paths() == ["/sms", "/zalo"]
    assert all(r.json()["to"] == notice.user.phone for r in gateway.requests)
    assert all("Trung tâm chỉ huy phường Tích Sơn" in r.json()["text"] for r in gateway.requests)
    # The province has no policy: its own list (the district is missing) goes on the defaults.
    to_province = Notification.objects.get(centre=world.province, user=world.user("province", "standing"))
    assert to_province.channels == ["in_app", "email"]


def test_channels_of_every_centre_are_read_in_one_query(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for centre in (world.commune, world.sibling, world.district, world.province):
        AlertPolicy.objects.create(centre=centre, sms_enabled=True, sms_webhook_url="http://127.0.0.1:9/sms")
    with CaptureQueriesContext(connection) as queries, time_machine.travel(local(TODAY, 16), tick=False):
        reminders.send_due_reminders()
    policy_reads = [q["sql"] for q in queries if "alerts_alertpolicy" in q["sql"]]
    assert len(policy_reads) == 1, policy_reads
    assert set(Notification.objects.values_list("centre_id", flat=True)) == {
        world.commune.pk,
        world.sibling.pk,
        world.district.pk,
    }
    assert all("sms" in n.channels for n in Notification.objects.all())
