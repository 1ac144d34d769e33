from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from chihuy.api.services import api_token_create
from chihuy.roster.choices import DutyRole
from chihuy.roster.models import Assignment, SwapRequest
from chihuy.roster.tests.conftest import TZ

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()
    yield
    cache.clear()


def _api(user):
    _, secret = api_token_create(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _future(roster):
    return Assignment.objects.filter(
        roster=roster,
        role=DutyRole.PRIMARY,
        agency__kind="health",
        start__gt=dt.datetime(2026, 4, 26, tzinfo=TZ),
    ).first()


def _urls(roster, a):
    return [
        ("get", f"/api/v1/centres/{roster.centre_id}/roster", None),
        ("get", f"/api/v1/centres/{roster.centre_id}/on-duty", None),
        ("post", f"/api/v1/assignments/{a.pk}/swap", {"counterpart": a.member_id}),
    ]


def test_anonymous_401(published):
    for method, url, body in _urls(published, _future(published)):
        response = getattr(APIClient(), method)(url, body, format="json")
        assert response.status_code == 401, url


def test_sibling_404(published, world):
    client = _api(world.user("sibling", "commander"))
    for method, url, body in _urls(published, _future(published)):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/problem+json"


def test_swap_for_someone_else_403(published, world):
    a = _future(published)
    response = _api(world.user("commune", "commander")).post(
        f"/api/v1/assignments/{a.pk}/swap", {"counterpart": a.member_id}, format="json"
    )
    assert response.status_code == 403


def test_read_roster_and_on_duty(published, world, frozen):
    client = _api(world.user("commune", "member"))
    body = client.get(f"/api/v1/centres/{published.centre_id}/roster?start=2026-04-24&end=2026-04-24").json()
    assert body["count"] == 18
    assert {r["role"] for r in body["results"]} == {"primary", "backup", "command"}
    duty = client.get(f"/api/v1/centres/{published.centre_id}/on-duty").json()
    assert len(duty["command"]) == 1 and len(duty["officers"]) == 3
    bad = client.get(f"/api/v1/centres/{published.centre_id}/roster?start=2026-04-24&end=2026-01-01")
    assert bad.status_code == 400


def test_request_swap(published, staffed):
    a = _future(published)
    other = next(m for m in staffed.officers["health"] if m.user_id != a.user_id)
    client = _api(a.user)
    response = client.post(
        f"/api/v1/assignments/{a.pk}/swap", {"counterpart": other.pk, "reason": "Ốm"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert SwapRequest.objects.get(pk=response.json()["id"]).counterpart == other
    again = client.post(f"/api/v1/assignments/{a.pk}/swap", {"counterpart": other.pk}, format="json")
    assert again.status_code == 400
