"""Redis down changes nothing a duty officer sees (issue 12 §5): with REDIS_URL on a closed
port, calls are logged through the API and the web form, the public form still works and is
still limited, the API throttle still counts, and /healthz says "degraded"."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from chihuy.api.base import ApiRateThrottle
from chihuy.centres.choices import Role, Sector
from chihuy.core.models import CacheEntry
from chihuy.core.tests.conftest import needs_redis, token_client
from chihuy.intake.models import IntakeRecord
from chihuy.intake.tests.factories import form_data

pytestmark = pytest.mark.django_db


def _api_body(world, n=0):
    return {
        "centre": world.commune.pk,
        "channel": "hotline",
        "reporter_name": "Trần Thị Bình",
        "reporter_phone": "0912 345 678",
        "jurisdiction_code": world.commune.jurisdiction.code,
        "category": Sector.ISOLATION,
        "content": f"Có người từ vùng dịch về chưa khai báo y tế ({n})",
    }


def _stopped_clock(monkeypatch):
    # Mid-window on a stopped clock: a test's requests cannot straddle two throttle windows.
    monkeypatch.setattr(ApiRateThrottle, "timer", lambda self: 1_000_030.0)


def test_api_intake_is_saved_and_a_warning_logged(world, redis_down, caplog):
    officer = world.user("commune", Role.DUTY_OFFICER)
    client = token_client(officer)
    with caplog.at_level(logging.WARNING, logger="chihuy.core.cache"):
        statuses = [
            client.post("/api/v1/intakes", _api_body(world, n), format="json").status_code for n in range(20)
        ]
    assert statuses == [201] * 20
    assert IntakeRecord.objects.filter(received_by=officer).count() == 20
    warnings = [r for r in caplog.records if r.name == "chihuy.core.cache"]
    assert len(warnings) == 1
    assert "Redis cache unavailable" in warnings[0].getMessage()


def test_api_throttle_still_counts_in_the_database(world, redis_down, monkeypatch):
    monkeypatch.setattr(ApiRateThrottle, "rate", "2/minute")
    _stopped_clock(monkeypatch)
    client = token_client(world.user("commune", Role.DUTY_OFFICER))
    assert client.post("/api/v1/intakes", _api_body(world, 1), format="json").status_code == 201
    assert client.post("/api/v1/intakes", _api_body(world, 2), format="json").status_code == 201
    refused = client.post("/api/v1/intakes", _api_body(world, 3), format="json")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert IntakeRecord.objects.count() == 2
    assert CacheEntry.objects.filter(cache_key__contains="throttle_api").exists()


@needs_redis
def test_api_throttle_holds_on_a_live_redis(world, redis_up, monkeypatch):
    import redis

    from chihuy.core.tests.conftest import LIVE_REDIS

    monkeypatch.setattr(ApiRateThrottle, "rate", "2/minute")
    _stopped_clock(monkeypatch)
    client = token_client(world.user("commune", Role.DUTY_OFFICER))
    assert client.get(reverse("api:me")).status_code == 200
    assert client.get(reverse("api:me")).status_code == 200
    assert client.get(reverse("api:me")).status_code == 429
    assert not CacheEntry.objects.exists()
    assert list(redis.Redis.from_url(LIVE_REDIS).scan_iter(match=f"{redis_up}:*throttle_api*"))


def test_web_intake_form_is_saved(world, login, redis_down):
    officer = world.user("commune", Role.DUTY_OFFICER)
    client = login(officer)
    data = form_data(world)
    response = client.post(reverse("intake:create"), data, follow=True)
    assert response.status_code == 200
    record = IntakeRecord.objects.get()
    assert record.received_by == officer
    assert record.number in response.content.decode()


def test_public_report_is_saved_and_still_limited(world, redis_down):
    public = Client(enforce_csrf_checks=True)
    url = reverse("portal:report", args=[world.commune.pk])
    public.get(url)
    token = public.cookies["csrftoken"].value
    data = {
        "reporter_name": "Lê Văn Cường",
        "reporter_phone": "0987 654 321",
        "jurisdiction": world.commune.jurisdiction.pk,
        "address": "Tổ 3",
        "category": Sector.FOOD,
        "website": "",
        "csrfmiddlewaretoken": token,
    }
    statuses = [public.post(url, {**data, "content": f"Phản ánh {i}"}).status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]
    assert IntakeRecord.objects.count() == 5


def test_healthz_says_degraded_with_the_cause(client, redis_down):
    response = client.get("/healthz")
    # 200: the node serves everything; taking it out of the balancer would help no one.
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "cache": "ConnectionError"}


@needs_redis
def test_healthz_ok_on_a_live_redis(client, redis_up):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
