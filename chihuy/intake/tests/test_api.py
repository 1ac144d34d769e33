"""POST/GET /api/v1/intakes and the SMS webhook: create, list, detail, idempotency, field errors,
denied access (issue 3 §8)."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from chihuy.api.services import api_token_create
from chihuy.api.tests.conftest import assert_problem
from chihuy.centres.choices import Role, Sector
from chihuy.intake.api import SIGNATURE_HEADER, sign_body
from chihuy.intake.choices import Channel, Source
from chihuy.intake.models import IdempotencyKey, IntakeRecord, SmsWebhookSecret
from chihuy.intake.tests.factories import make_intake

pytestmark = pytest.mark.django_db

URL = "/api/v1/intakes"


def _body(world, **extra):
    body = {
        "centre": world.commune.pk,
        "channel": "hotline",
        "reporter_name": "Trần Thị Bình",
        "reporter_phone": "0912 345 678",
        "jurisdiction_code": world.commune.jurisdiction.code,
        "category": Sector.ISOLATION,
        "content": "Có người từ vùng dịch về chưa khai báo y tế",
    }
    body.update(extra)
    return body


def _officer(world, key="commune"):
    return world.user(key, Role.DUTY_OFFICER)


def test_create_logs_a_record(world, api):
    officer = _officer(world)
    response = api(officer).post(URL, _body(world), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    record = IntakeRecord.objects.get(pk=data["id"])
    assert record.centre == world.commune
    assert record.source == Source.API
    assert record.received_by == officer
    assert record.reporter_phone == "0912345678"
    assert record.jurisdiction == world.commune.jurisdiction
    assert data["number"].startswith("TS-")
    assert data["jurisdiction"]["code"] == world.commune.jurisdiction.code
    assert data["status"] == "received"


def test_list_filters_and_detail(world, api):
    officer = _officer(world)
    urgent = make_intake(
        centre=world.commune, urgent=True, urgency_reason="Xô xát", content="Tụ tập đông người"
    )
    calm = make_intake(centre=world.commune, content="Thiếu lương thực ở khu cách ly", category=Sector.FOOD)
    make_intake(centre=world.sibling, content="Tụ tập ở phường bên")
    client = api(officer)

    response = client.get(URL, {"centre": world.commune.pk})
    assert response.status_code == 200
    ids = {r["id"] for r in response.json()["results"]}
    assert ids == {urgent.pk, calm.pk}

    assert [
        r["id"] for r in client.get(URL, {"centre": world.commune.pk, "urgent": "true"}).json()["results"]
    ] == [urgent.pk]
    assert [
        r["id"] for r in client.get(URL, {"centre": world.commune.pk, "q": "luong thuc"}).json()["results"]
    ] == [calm.pk]
    by_category = client.get(URL, {"centre": world.commune.pk, "category": Sector.FOOD}).json()["results"]
    assert [r["id"] for r in by_category] == [calm.pk]
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert client.get(URL, {"centre": world.commune.pk, "date_from": tomorrow}).json()["count"] == 0
    assert client.get(URL, {"centre": world.commune.pk, "status": "closed"}).json()["count"] == 0

    detail = client.get(reverse("api:intake", args=[urgent.pk]))
    assert detail.status_code == 200
    assert detail.json()["urgent"] is True


def test_parent_centre_reads_below(world, api):
    record = make_intake(centre=world.commune)
    client = api(world.user("district", Role.COMMANDER))
    response = client.get(URL, {"centre": world.district.pk, "include_below": "true"})
    assert [r["id"] for r in response.json()["results"]] == [record.pk]
    assert client.get(reverse("api:intake", args=[record.pk])).status_code == 200


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"reporter_phone": "12345"}, "reporter_phone"),
        ({"content": "   "}, "content"),
        ({"jurisdiction_code": 99999}, "jurisdiction_code"),
        ({"received_at": "2999-01-01T08:00:00+07:00"}, "received_at"),
        ({"urgent": True}, "urgency_reason"),
        ({"status": "closed"}, "status"),
        ({"channel": "forwarded"}, "channel"),
    ],
)
def test_bad_input_is_a_field_problem(world, api, extra, field):
    response = api(_officer(world)).post(URL, _body(world, **extra), format="json")
    body = assert_problem(response, 400)
    assert field in body["errors"], body
    assert IntakeRecord.objects.count() == 0


def test_bad_list_query_is_a_problem(world, api):
    body = assert_problem(api(_officer(world)).get(URL, {"centre": world.commune.pk, "status": "nope"}), 400)
    assert "status" in body["errors"]
    assert "centre" in assert_problem(api(_officer(world)).get(URL), 400)["errors"]


# --- idempotency ------------------------------------------------------------------------------


def test_retry_with_the_same_key_returns_the_same_record(world, api):
    client = api(_officer(world))
    first = client.post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="call-42")
    again = client.post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="call-42")
    assert first.status_code == 201
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert IntakeRecord.objects.count() == 1
    # Key order in the JSON does not matter.
    reordered = dict(reversed(list(_body(world).items())))
    assert (
        client.post(URL, reordered, format="json", HTTP_IDEMPOTENCY_KEY="call-42").json()["id"]
        == first.json()["id"]
    )


def test_same_key_other_body_is_refused(world, api):
    client = api(_officer(world))
    client.post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    response = client.post(
        URL, _body(world, content="Nội dung khác"), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    body = assert_problem(response, 422)
    assert body["code"] == "idempotency_key_reused"
    assert IntakeRecord.objects.count() == 1


def test_keys_belong_to_their_user(world, api):
    a = api(_officer(world)).post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    b = api(world.user("commune", Role.STANDING)).post(
        URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert a.json()["id"] != b.json()["id"]


def test_failed_request_does_not_burn_its_key(world, api):
    client = api(_officer(world))
    bad = client.post(URL, _body(world, content=""), format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert_problem(bad, 400)
    assert not IdempotencyKey.objects.exists()
    good = client.post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert good.status_code == 201


def test_bad_key_is_a_problem(world, api):
    response = api(_officer(world)).post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="has space")
    assert "Idempotency-Key" in assert_problem(response, 400)["errors"]


def test_key_already_taken_inside_a_concurrent_transaction(world, api, monkeypatch):
    """A retry that arrives while the first request is still inside its transaction: 409, no record."""
    from chihuy.intake import api as intake_api

    user = _officer(world)
    IdempotencyKey.objects.create(user=user, key="in-flight", request_hash="x")  # no record yet
    response = api(user).post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="in-flight")
    assert_problem(response, 409)
    assert IntakeRecord.objects.count() == 0
    assert intake_api.IDEMPOTENCY_HEADER == "Idempotency-Key"


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_one_record(world):
    """Threads posting the same key at once: one record, every answer carries its id."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL; SQLite serialises writers anyway")
    user = _officer(world)
    _, secret = api_token_create(user=user, name="race")
    body = _body(world)
    results: list[tuple[int, dict]] = []
    barrier = threading.Barrier(6)

    def post() -> None:
        from django.db import connections

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        barrier.wait()
        try:
            response = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="race-1")
            results.append((response.status_code, json.loads(response.content)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert IntakeRecord.objects.count() == 1
    record_id = IntakeRecord.objects.get().pk
    assert all(status in (201, 409) for status, _body in results), results
    assert {b["id"] for status, b in results if status == 201} == {record_id}


# --- denied access ----------------------------------------------------------------------------


def _endpoints(world):
    record = make_intake(centre=world.commune)
    return [
        ("get", URL, {"centre": world.commune.pk}),
        ("post", URL, _body(world)),
        ("get", reverse("api:intake", args=[record.pk]), None),
    ]


def test_anonymous_is_401_everywhere(world, anon):
    for method, url, data in _endpoints(world):
        response = (
            getattr(anon, method)(url, data, format="json") if method == "post" else anon.get(url, data)
        )
        assert_problem(response, 401)


def test_sibling_centre_is_404_everywhere(world, api):
    client = api(world.user("sibling", Role.COMMANDER))
    for method, url, data in _endpoints(world):
        response = client.post(url, data, format="json") if method == "post" else client.get(url, data)
        assert_problem(response, 404)
    assert IntakeRecord.objects.filter(centre=world.commune).count() == 1


@pytest.mark.parametrize("who", [("commune", Role.MEMBER), ("district", Role.COMMANDER)])
def test_role_that_may_not_log_is_403(world, api, who):
    response = api(world.user(*who)).post(URL, _body(world), format="json")
    assert_problem(response, 403)
    assert IntakeRecord.objects.count() == 0


def test_403_comes_before_validation(world, api):
    response = api(world.user("commune", Role.MEMBER)).post(URL, _body(world, content=""), format="json")
    assert_problem(response, 403)


# --- SMS webhook ------------------------------------------------------------------------------


def _sms(client, centre, payload, secret=None, signature=None):
    raw = json.dumps(payload).encode()
    headers = {}
    if signature is not None:
        headers[f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}"] = signature
    elif secret is not None:
        headers[f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}"] = sign_body(secret, raw)
    return client.post(
        reverse("api:webhook-sms", args=[centre.pk]), raw, content_type="application/json", **headers
    )


def test_signed_sms_creates_a_record(world, anon):
    hook = SmsWebhookSecret.objects.create(centre=world.commune)
    response = _sms(
        anon, world.commune, {"sender": "84912345678", "text": "Khu trọ số 5 có người sốt"}, hook.secret
    )
    assert response.status_code == 201, response.content
    record = IntakeRecord.objects.get(pk=response.json()["id"])
    assert record.channel == Channel.MESSAGE
    assert record.source == Source.SMS
    assert record.reporter_phone == "0912345678"
    assert record.received_by is None
    assert response.json()["tracking_code"] == record.tracking_code


@pytest.mark.parametrize(
    "case", ["wrong-secret", "no-header", "tampered", "no-secret-configured", "inactive"]
)
def test_bad_sms_signature_is_401(world, anon, case):
    hook = SmsWebhookSecret.objects.create(centre=world.commune)
    payload = {"sender": "0912345678", "text": "Tin nhắn"}
    if case == "wrong-secret":
        response = _sms(anon, world.commune, payload, "not-the-secret")
    elif case == "no-header":
        response = _sms(anon, world.commune, payload)
    elif case == "tampered":
        signature = sign_body(hook.secret, json.dumps({"sender": "0912345678", "text": "khác"}).encode())
        response = _sms(anon, world.commune, payload, signature=signature)
    elif case == "no-secret-configured":
        response = _sms(anon, world.sibling, payload, hook.secret)
    else:
        hook.is_active = False
        hook.save()
        response = _sms(anon, world.commune, payload, hook.secret)
    assert_problem(response, 401)
    assert IntakeRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"sender": "abc", "text": "Có ca sốt"}, "sender"), ({"sender": "0912345678", "text": "  "}, "text")],
)
def test_sms_field_errors(world, anon, payload, field):
    hook = SmsWebhookSecret.objects.create(centre=world.commune)
    body = assert_problem(_sms(anon, world.commune, payload, hook.secret), 400)
    assert field in body["errors"], body
    assert IntakeRecord.objects.count() == 0


def test_schema_lists_the_intake_endpoints(world, api):
    response = api(_officer(world)).get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = json.loads(response.content)["paths"]
    assert "/api/v1/intakes" in paths
    assert "/api/v1/intakes/{id}" in paths
    assert "/api/v1/webhooks/sms/{centre_id}" in paths
