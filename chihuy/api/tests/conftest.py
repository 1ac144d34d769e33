"""Fixtures for the API tests: clients acting with a bearer token or anonymously."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from chihuy.api.services import api_token_create


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    # The throttle counts in the cache; ids repeat across tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def api():
    """``api(user)``: a client sending a fresh bearer token of ``user``."""

    def _api(user: Any) -> APIClient:
        _, secret = api_token_create(user=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return _api


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    assert body["detail"]
    return body
