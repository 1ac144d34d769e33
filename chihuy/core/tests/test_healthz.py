"""/healthz answers 200 when the database does, 503 when it does not."""

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_503_when_the_database_fails(client):
    with mock.patch("chihuy.core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("database is down")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "detail": "OperationalError"}


def test_healthz_503_when_the_query_fails(client):
    with mock.patch("chihuy.core.views.connection") as connection:
        connection.cursor.return_value.__enter__.return_value.execute.side_effect = OperationalError("gone")
        response = client.get("/healthz")
    assert response.status_code == 503


def test_healthz_is_get_only(client):
    assert client.post("/healthz").status_code == 405
