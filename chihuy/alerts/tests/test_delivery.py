"""External channels: webhook adapters against a local HTTP server, failures, bounded retries."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest

from chihuy.alerts.choices import Channel, DeliveryStatus
from chihuy.alerts.conf import MAX_ATTEMPTS
from chihuy.alerts.models import AlertDelivery, AlertPolicy
from chihuy.alerts.services import alert_audit, alert_deliver_pending, alert_raise
from chihuy.centres.choices import Role

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def commander(world):
    user = world.user("commune", Role.COMMANDER)
    user.phone = "0912345678"
    user.save()
    return user


def _policy(world, gateway, **extra):
    fields = {
        "email_enabled": False,
        "sms_enabled": True,
        "sms_webhook_url": f"{gateway.url}/sms",
        "zalo_enabled": True,
        "zalo_webhook_url": f"{gateway.url}/zalo",
        "webhook_secret": "bi-mat",
    }
    return AlertPolicy.objects.create(centre=world.commune, **(fields | extra))


def test_webhooks_deliver_signed_json(
    world, make_record, commander, gateway, clock, django_capture_on_commit_callbacks
):
    _policy(world, gateway)
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_raise(record=make_record(world.commune))
    assert gateway.paths() == ["/sms", "/zalo"]
    for request in gateway.requests:
        payload = request.json()
        assert payload["to"] == "0912345678"
        assert payload["record"] == alert.record.number
        expected = hmac.new(b"bi-mat", request.body, hashlib.sha256).hexdigest()
        assert request.headers["X-ChiHuy-Signature"] == f"sha256={expected}"
    statuses = set(
        AlertDelivery.objects.filter(alert=alert)
        .exclude(channel=Channel.IN_APP)
        .values_list("status", flat=True)
    )
    assert statuses == {DeliveryStatus.SENT}


def test_gateway_failure_is_recorded_and_retried_a_bounded_number_of_times(
    world, make_record, commander, gateway, clock, django_capture_on_commit_callbacks
):
    _policy(world, gateway, zalo_enabled=False)
    gateway.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_raise(record=make_record(world.commune))
    first = AlertDelivery.objects.get(alert=alert, channel=Channel.SMS, attempt=1)
    assert first.status == DeliveryStatus.FAILED
    assert "HTTP 500" in first.error
    retry = AlertDelivery.objects.get(alert=alert, channel=Channel.SMS, attempt=2)
    assert retry.status == DeliveryStatus.PENDING
    assert retry.not_before == T0 + dt.timedelta(seconds=5)

    assert alert_deliver_pending(now=T0 + dt.timedelta(seconds=4)) == 0  # waits its turn
    for minutes in (1, 2, 3, 4):
        alert_deliver_pending(now=T0 + dt.timedelta(minutes=minutes))
    attempts = AlertDelivery.objects.filter(alert=alert, channel=Channel.SMS).order_by("attempt")
    assert [(d.attempt, d.status) for d in attempts] == [
        (n, DeliveryStatus.FAILED) for n in range(1, MAX_ATTEMPTS + 1)
    ]
    assert len(gateway.requests) == MAX_ATTEMPTS
    # Every retry names the same message, so a gateway that took one of them drops the others.
    keys = {r.headers["Idempotency-Key"] for r in gateway.requests}
    assert keys == {attempts[0].idempotency_key}


def test_gateway_recovers_on_retry(
    world, make_record, commander, gateway, clock, django_capture_on_commit_callbacks
):
    _policy(world, gateway, zalo_enabled=False)
    gateway.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_raise(record=make_record(world.commune))
    gateway.status = 200
    alert_deliver_pending(now=T0 + dt.timedelta(seconds=10))
    attempts = AlertDelivery.objects.filter(alert=alert, channel=Channel.SMS).order_by("attempt")
    assert [(d.attempt, d.status) for d in attempts] == [(1, DeliveryStatus.FAILED), (2, DeliveryStatus.SENT)]


def test_unreachable_gateway_is_recorded(
    world, make_record, commander, clock, django_capture_on_commit_callbacks
):
    AlertPolicy.objects.create(
        centre=world.commune, email_enabled=False, sms_enabled=True, sms_webhook_url="http://127.0.0.1:9/sms"
    )
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_raise(record=make_record(world.commune))
    first = AlertDelivery.objects.get(alert=alert, channel=Channel.SMS, attempt=1)
    assert first.status == DeliveryStatus.FAILED
    assert first.error


def test_fake_adapter_and_missing_phone(
    world, make_record, commander, fake_channel, clock, django_capture_on_commit_callbacks
):
    AlertPolicy.objects.create(
        centre=world.commune, email_enabled=False, sms_enabled=True, sms_webhook_url="http://gateway.invalid/"
    )
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_raise(record=make_record(world.commune))
    assert fake_channel.sent == [("commune_commander", alert.record.number)]


def test_the_gateway_gets_an_idempotency_key_and_its_message_id_is_stored(
    world, make_record, commander, gateway, clock, django_capture_on_commit_callbacks
):
    _policy(world, gateway, zalo_enabled=False)
    gateway.answer = b'{"message_id": "VT-000123", "status": "queued"}'
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_raise(record=make_record(world.commune))
    delivery = AlertDelivery.objects.get(alert=alert, channel=Channel.SMS)
    (request,) = gateway.requests
    assert request.headers["Idempotency-Key"] == request.json()["id"] == delivery.idempotency_key
    assert (delivery.status, delivery.gateway_id) == (DeliveryStatus.SENT, "VT-000123")


def test_a_gateway_answering_without_an_id_leaves_our_key_as_the_receipt(
    world, make_record, commander, gateway, clock, django_capture_on_commit_callbacks
):
    _policy(world, gateway, zalo_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_raise(record=make_record(world.commune))
    delivery = AlertDelivery.objects.get(alert=alert, channel=Channel.SMS)
    assert (delivery.status, delivery.gateway_id) == (DeliveryStatus.SENT, delivery.idempotency_key)


def test_a_delivery_cut_off_after_the_gateway_took_it_is_not_sent_again(
    world, make_record, commander, fake_channel, clock
):
    AlertPolicy.objects.create(
        centre=world.commune, email_enabled=False, sms_enabled=True, sms_webhook_url="http://gateway.invalid/"
    )
    alert = alert_raise(record=make_record(world.commune))  # on_commit never runs: the "crash"
    delivery = AlertDelivery.objects.get(alert=alert, channel=Channel.SMS, user=commander)
    # The worker died after storing the gateway's receipt, before marking the delivery sent.
    AlertDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempted_at=T0, gateway_id="VT-000123"
    )
    assert alert_audit(now=T0 + dt.timedelta(minutes=5))["stuck"] == 0
    alert_deliver_pending(now=T0 + dt.timedelta(minutes=6))
    attempts = AlertDelivery.objects.filter(alert=alert, channel=Channel.SMS, user=commander)
    assert [(d.attempt, d.status, d.gateway_id) for d in attempts] == [(1, DeliveryStatus.SENT, "VT-000123")]
    assert ("commune_commander", alert.record.number) not in fake_channel.sent


def test_auditor_retries_a_delivery_cut_off_by_a_crash(world, make_record, commander, fake_channel, clock):
    AlertPolicy.objects.create(
        centre=world.commune, email_enabled=False, sms_enabled=True, sms_webhook_url="http://gateway.invalid/"
    )
    alert = alert_raise(record=make_record(world.commune))  # on_commit never runs: the "crash"
    delivery = AlertDelivery.objects.get(alert=alert, channel=Channel.SMS)
    AlertDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, attempted_at=T0)
    assert alert_audit(now=T0 + dt.timedelta(seconds=30))["stuck"] == 0  # might still be sending
    result = alert_audit(now=T0 + dt.timedelta(minutes=5))
    assert result["stuck"] == 1
    alert_deliver_pending(now=T0 + dt.timedelta(minutes=6))
    attempts = AlertDelivery.objects.filter(alert=alert, channel=Channel.SMS, user=commander).order_by(
        "attempt"
    )
    assert [d.status for d in attempts] == [DeliveryStatus.FAILED, DeliveryStatus.SENT]
    assert "gián đoạn" in attempts[0].error
    assert fake_channel.sent.count(("commune_commander", alert.record.number)) == 1
    # Retried once, naming the same message as the attempt that was cut off.
    assert attempts[0].idempotency_key == attempts[1].idempotency_key
    assert fake_channel.keys.count(attempts[0].idempotency_key) == 1


def test_a_slow_delivery_batch_does_not_hold_back_a_step_that_falls_due(world, make_record, commander, clock):
    from chihuy.alerts.adapters import register_adapter
    from chihuy.alerts.models import AlertStep

    AlertPolicy.objects.create(
        centre=world.commune, email_enabled=False, sms_enabled=True, sms_webhook_url="http://gateway.invalid/"
    )
    alert = alert_raise(record=make_record(world.commune))  # on_commit never runs: step 1's SMS wait

    class SlowGateway:
        def send(self, *, user, message, policy):
            clock.shift(dt.timedelta(minutes=6))  # meanwhile the next step (due at 5 min) falls due
            return "VT-1"

    previous = register_adapter(Channel.SMS, SlowGateway())
    try:
        alert_deliver_pending()
    finally:
        if previous is not None:
            register_adapter(Channel.SMS, previous)
    # Fired between two sends, not after the whole batch.
    assert AlertStep.objects.get(alert=alert, position=1).fired_at == T0 + dt.timedelta(minutes=6)
