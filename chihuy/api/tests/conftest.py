"""Helpers for the API tests; the ``api`` and ``anon`` clients are in the root conftest."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _every_test_starts_unthrottled(_fresh_throttle_cache: Any) -> None:
    """Every test here, not only those asking for a client, starts with an empty throttle."""


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    assert body["detail"]
    return body
