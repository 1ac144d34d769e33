"""Run in a separate process by test_crash.py: sets up a centre and an alert, or reports the outcome.

Not a test module: it talks to the database named by DATABASE_URL, which the test points at
a scratch file (or a scratch PostgreSQL database) shared with a real ``db_worker``.
"""

from __future__ import annotations

import json
import sys


def setup() -> None:
    from django.db import transaction

    from chihuy.alerts.models import AlertPolicy
    from chihuy.alerts.services import alert_raise
    from chihuy.centres.choices import CentreLevel, Role
    from chihuy.core.testing.factories import CentreFactory, JurisdictionFactory, MemberFactory, UserFactory
    from chihuy.intake.models import IntakeRecord

    district_j = JurisdictionFactory(level=2, name="Huyện Thử", code=991)
    commune_j = JurisdictionFactory(level=3, name="Xã Thử", code=99101, parent=district_j)
    district = CentreFactory(
        name="TT huyện", short_code="HT", level=CentreLevel.DISTRICT, jurisdiction=district_j
    )
    commune = CentreFactory(
        name="TT xã", short_code="XT", level=CentreLevel.COMMUNE, jurisdiction=commune_j, parent=district
    )
    for centre, key in ((commune, "xa"), (district, "huyen")):
        for role in (Role.COMMANDER, Role.DEPUTY):
            MemberFactory(centre=centre, user=UserFactory(username=f"{key}_{role}"), role=role)
    MemberFactory(centre=commune, user=UserFactory(username="xa_deputy2"), role=Role.DEPUTY)
    # An optional third argument is an SMS gateway's address: everyone then has a phone number.
    sms = {"sms_enabled": True, "sms_webhook_url": sys.argv[3]} if len(sys.argv) > 3 else {}
    if sms:
        for n, member in enumerate(commune.members.select_related("user").order_by("id")):
            member.user.phone = f"09120000{n:02d}"
            member.user.save(update_fields=["phone"])
        for n, member in enumerate(district.members.select_related("user").order_by("id")):
            member.user.phone = f"09130000{n:02d}"
            member.user.save(update_fields=["phone"])
    AlertPolicy.objects.create(centre=commune, minutes=float(sys.argv[1]), repeats=int(sys.argv[2]), **sms)
    with transaction.atomic():
        record = IntakeRecord.objects.create(
            centre=commune,
            number="XT-20261122-0001",
            tracking_code="CRASH0001",
            content="Ca nghi nhiễm",
            address="Thôn 1",
            anonymous=True,
            urgent=True,
            urgency_reason="Khẩn",
        )
        transaction.on_commit(lambda: alert_raise(record=record))


def report() -> None:
    from django_tasks_db.models import DBTaskResult

    from chihuy.alerts.models import AlertDelivery, AlertStep

    steps = [
        {
            "position": s.position,
            "due": s.due_at.timestamp(),
            "fired": s.fired_at is not None,
            "recipients": sorted(u.pk for u in s.recipients.all()),
        }
        for s in AlertStep.objects.prefetch_related("recipients").order_by("position")
    ]
    deliveries = [
        {
            "step__position": d.step.position,
            "user_id": d.user_id,
            "channel": d.channel,
            "attempt": d.attempt,
            "status": d.status,
            "gateway_id": d.gateway_id,
            "error": d.error,
            "key": d.idempotency_key,
        }
        for d in AlertDelivery.objects.select_related("step").order_by("id")
    ]
    tasks = [
        {"path": t.task_path, "queue": t.queue_name, "status": t.status, "workers": t.worker_ids}
        for t in DBTaskResult.objects.order_by("enqueued_at")
    ]
    print(json.dumps({"steps": steps, "deliveries": deliveries, "tasks": tasks}))


if __name__ == "__main__":
    import django

    django.setup()
    {"setup": setup, "report": report}[sys.argv.pop(1)]()
