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
    AlertPolicy.objects.create(centre=commune, minutes=float(sys.argv[1]), repeats=int(sys.argv[2]))
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
    from chihuy.alerts.models import AlertDelivery, AlertStep

    steps = [
        {
            "position": s.position,
            "fired": s.fired_at is not None,
            "recipients": sorted(u.pk for u in s.recipients.all()),
        }
        for s in AlertStep.objects.prefetch_related("recipients").order_by("position")
    ]
    deliveries = list(
        AlertDelivery.objects.order_by("id").values(
            "step__position", "user_id", "channel", "attempt", "status"
        )
    )
    print(json.dumps({"steps": steps, "deliveries": deliveries}))


if __name__ == "__main__":
    import django

    django.setup()
    {"setup": setup, "report": report}[sys.argv.pop(1)]()
