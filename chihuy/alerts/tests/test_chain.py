"""The chain: built at once, frozen, fired in order, repeated K times, stopped by acknowledgement (R3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from chihuy.alerts.choices import AlertStatus, Channel, DeliveryStatus, StepKind
from chihuy.alerts.models import Alert, AlertDelivery, AlertPolicy, AlertStep
from chihuy.alerts.services import alert_acknowledge, alert_escalate_due, alert_raise
from chihuy.centres.choices import Role, Sector
from chihuy.centres.models import DeputySector, Member

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def _recipients(alert: Alert) -> list[tuple[str, list[str]]]:
    return [
        (s.kind, sorted(u.username for u in s.recipients.all()))
        for s in AlertStep.objects.filter(alert=alert).order_by("position")
    ]


def _fired_in_app(alert: Alert) -> list[str]:
    return list(
        AlertDelivery.objects.filter(alert=alert, channel=Channel.IN_APP)
        .order_by("id")
        .values_list("user__username", flat=True)
    )


def test_chain_is_built_and_step_one_fires_at_once(world, make_record, clock):
    record = make_record(world.commune)
    alert = alert_raise(record=record)

    assert (
        _recipients(alert)
        == [
            (StepKind.DUTY, ["commune_commander"]),
            (StepKind.DEPUTIES, ["commune_deputy"]),
            (StepKind.PARENT_DUTY, ["district_commander"]),
        ]
        * 2
    )  # K = 2 passes by default
    steps = list(alert.steps.order_by("position"))
    assert [s.due_at for s in steps] == [T0 + dt.timedelta(minutes=5 * i) for i in range(6)]
    assert steps[0].fired_at == T0
    assert all(s.fired_at is None for s in steps[1:])
    assert _fired_in_app(alert) == ["commune_commander"]
    assert alert_raise(record=record) == alert  # idempotent
    assert Alert.objects.count() == 1


def test_duty_step_takes_the_deputy_of_the_record_sector(world, make_record, clock):
    deputy = Member.objects.get(centre=world.commune, role=Role.DEPUTY)
    DeputySector.objects.create(member=deputy, sector=Sector.TESTING)
    alert = alert_raise(record=make_record(world.commune, category=Sector.TESTING))
    assert _recipients(alert)[0] == (StepKind.DUTY, ["commune_commander", "commune_deputy"])


def test_roster_duty_overrides_the_fallback(world, make_record, clock, monkeypatch):
    officer = world.user("commune", Role.STANDING)
    monkeypatch.setattr(
        "chihuy.alerts.services._roster_duty",
        lambda centre, at: [officer] if centre == world.commune else [],
    )
    alert = alert_raise(record=make_record(world.commune))
    assert _recipients(alert)[0] == (StepKind.DUTY, ["commune_standing"])
    assert _recipients(alert)[2] == (StepKind.PARENT_DUTY, ["district_commander"])


def test_chain_is_frozen_when_members_change(world, make_record, clock):
    alert = alert_raise(record=make_record(world.commune))
    Member.objects.filter(centre=world.commune, role=Role.DEPUTY).update(is_active=False)
    Member.objects.filter(centre=world.district, role=Role.COMMANDER).update(is_active=False)
    AlertPolicy.objects.create(centre=world.commune, minutes=1, repeats=5)

    clock.move_to(T0 + dt.timedelta(minutes=10), tick=False)
    alert_escalate_due()

    assert _fired_in_app(alert) == ["commune_commander", "commune_deputy", "district_commander"]
    assert alert.steps.count() == 6


def test_escalation_order_repeats_then_exhausts(world, make_record, clock):
    alert = alert_raise(record=make_record(world.commune))
    expected = ["commune_commander", "commune_deputy", "district_commander"] * 2
    for i in range(1, 6):
        clock.move_to(T0 + dt.timedelta(minutes=5 * i) - dt.timedelta(seconds=1), tick=False)
        assert alert_escalate_due() == []  # not yet due
        clock.move_to(T0 + dt.timedelta(minutes=5 * i), tick=False)
        assert len(alert_escalate_due()) == 1
        assert alert_escalate_due() == []  # never twice
        assert _fired_in_app(alert) == expected[: i + 1]
    alert.refresh_from_db()
    assert alert.status == AlertStatus.EXHAUSTED
    assert alert.repeat == 2
    clock.move_to(T0 + dt.timedelta(hours=5), tick=False)
    assert alert_escalate_due() == []


def test_policy_minutes_and_repeats(world, make_record, clock):
    AlertPolicy.objects.create(centre=world.commune, minutes=0.5, repeats=1, email_enabled=False)
    alert = alert_raise(record=make_record(world.commune))
    assert [s.due_at for s in alert.steps.order_by("position")] == [
        T0,
        T0 + dt.timedelta(seconds=30),
        T0 + dt.timedelta(seconds=60),
    ]
    assert alert.channels == [Channel.IN_APP]


def test_overdue_steps_all_fire_after_an_outage(world, make_record, clock):
    alert = alert_raise(record=make_record(world.commune))
    clock.move_to(T0 + dt.timedelta(minutes=12), tick=False)
    assert len(alert_escalate_due()) == 2
    assert _fired_in_app(alert) == ["commune_commander", "commune_deputy", "district_commander"]


def test_acknowledge_stops_escalation(world, make_record, clock):
    alert = alert_raise(record=make_record(world.commune))
    clock.move_to(T0 + dt.timedelta(minutes=2), tick=False)
    alert_acknowledge(alert=alert, user=world.user("commune", Role.COMMANDER))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_at == T0 + dt.timedelta(minutes=2)
    assert alert.acknowledged_by == world.user("commune", Role.COMMANDER)
    clock.move_to(T0 + dt.timedelta(hours=1), tick=False)
    assert alert_escalate_due() == []
    assert _fired_in_app(alert) == ["commune_commander"]


@pytest.mark.parametrize(
    ("centre", "role", "allowed"),
    [
        ("commune", Role.COMMANDER, True),  # the recipient
        ("commune", Role.DEPUTY, True),  # leader of the centre, even before his step
        ("district", Role.COMMANDER, True),  # leader of an ancestor
        ("province", Role.DEPUTY, True),
        ("commune", Role.DUTY_OFFICER, False),
        ("commune", Role.MEMBER, False),
        ("district", Role.MEMBER, False),
        ("sibling", Role.COMMANDER, False),
    ],
)
def test_who_may_acknowledge(world, make_record, clock, centre, role, allowed):
    alert = alert_raise(record=make_record(world.commune))
    user = world.user(centre, role)
    if allowed:
        alert_acknowledge(alert=alert, user=user)
        assert Alert.objects.get(pk=alert.pk).status == AlertStatus.ACKNOWLEDGED
    else:
        with pytest.raises(PermissionDenied):
            alert_acknowledge(alert=alert, user=user)
        assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_a_later_recipient_sees_it_once_his_step_fired(world, make_record, clock):
    alert = alert_raise(record=make_record(world.sibling))
    member = world.user("sibling", Role.MEMBER)
    step = alert.steps.get(position=1)
    step.recipients.add(member)  # stands in for a roster that named an ordinary member
    assert not Alert.objects.visible_to(member).exists()
    clock.move_to(T0 + dt.timedelta(minutes=5), tick=False)
    alert_escalate_due()
    assert list(Alert.objects.visible_to(member)) == [alert]


def test_email_is_sent_per_recipient_and_recorded(
    world, make_record, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_raise(record=make_record(world.commune))
    assert [m.to for m in mail.outbox] == [["commune_commander@example.test"]]
    assert alert.record.number in mail.outbox[0].subject
    assert "KHẨN" in mail.outbox[0].subject
    delivery = AlertDelivery.objects.get(alert=alert, channel=Channel.EMAIL)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempted_at == T0
    assert AlertStep.objects.get(alert=alert, position=0).delivered_at == T0


def test_missing_email_is_a_permanent_failure(world, make_record, clock, django_capture_on_commit_callbacks):
    user = world.user("commune", Role.COMMANDER)
    user.email = ""
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_raise(record=make_record(world.commune))
    delivery = AlertDelivery.objects.get(alert=alert, channel=Channel.EMAIL)
    assert delivery.status == DeliveryStatus.FAILED
    assert "e-mail" in delivery.error
    assert AlertDelivery.objects.filter(alert=alert, channel=Channel.EMAIL).count() == 1
    assert mail.outbox == []


def test_non_urgent_record_from_root_centre_without_leaders(world, make_record, clock):
    Member.objects.filter(centre=world.province, role__in=[Role.COMMANDER, Role.DEPUTY]).update(
        is_active=False
    )
    alert = alert_raise(record=make_record(world.province))
    # No leaders and no parent: the standing unit hears about it.
    assert [k for k, _ in _recipients(alert)] == [StepKind.DUTY, StepKind.DUTY]
    assert _fired_in_app(alert) == ["province_standing"]


def test_intake_service_raises_the_alert_after_commit(world, clock, django_capture_on_commit_callbacks):
    from chihuy.intake.services import intake_create

    with django_capture_on_commit_callbacks(execute=True):
        record = intake_create(
            centre=world.commune,
            received_by=world.user("commune", Role.DUTY_OFFICER),
            content="Người dân báo có ca sốt cao",
            reporter_phone="0912345678",
            reporter_name="Nguyễn Văn A",
            address="Tổ 5",
            urgent=True,
            urgency_reason="Sốt cao, khó thở",
            category=Sector.TREATMENT,
            received_at=timezone.now(),
        )
    alert = Alert.objects.get(record=record)
    assert _fired_in_app(alert) == ["commune_commander"]
