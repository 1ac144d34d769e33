"""GET /jurisdictions/autocomplete: JSON for scripts, <li role="option"> items for HTMX (R14)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chihuy.core.testing.factories import UserFactory
from chihuy.jurisdictions.services import jurisdictions_load

pytestmark = pytest.mark.django_db

URL = reverse("jurisdictions:autocomplete")


@pytest.fixture
def units(small_source):
    jurisdictions_load(structure="both", source=small_source)


@pytest.fixture
def user_client(login):
    return login(UserFactory())


def test_anonymous_html_is_sent_to_login(client, units):
    response = client.get(URL, {"q": "ha long"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_anonymous_json_is_refused(client, units):
    response = client.get(URL, {"q": "ha long"}, headers={"accept": "application/json"})
    assert response.status_code == 401
    assert "results" not in response.json()


def test_json_results(user_client, units):
    response = user_client.get(
        URL, {"q": "ha phong", "structure": "legacy"}, headers={"accept": "application/json"}
    )
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["name"] == "Phường Hà Phong"
    assert first["label"] == "Phường Hà Phong, Thành phố Hạ Long"
    assert first["code"] == 6661
    assert first["kind"] == "phuong"
    assert first["structure"] == "legacy"
    assert first["level"] == 3
    assert set(first) == {"id", "code", "name", "kind", "label", "structure", "level"}


def test_format_parameter_and_filters(user_client, units):
    data = user_client.get(URL, {"q": "quang ninh", "structure": "all", "format": "json"}).json()
    assert {r["structure"] for r in data["results"]} == {"current", "legacy"}
    data = user_client.get(URL, {"q": "ha long", "structure": "all", "level": "2", "format": "json"}).json()
    assert [r["name"] for r in data["results"]] == ["Thành phố Hạ Long"]
    # Unknown values fall back to the defaults instead of failing.
    data = user_client.get(URL, {"q": "ha long", "structure": "x", "level": "y", "format": "json"}).json()
    assert [r["name"] for r in data["results"]] == ["Phường Hạ Long"]


def test_empty_query_gives_no_results(user_client, units):
    assert user_client.get(URL, {"q": "  ", "format": "json"}).json() == {"results": []}
    assert user_client.get(URL).content.decode().strip() == ""


def test_html_partial_for_htmx(user_client, units):
    response = user_client.get(URL, {"q": "ha long"}, headers={"hx-request": "true"})
    assert response.status_code == 200
    assert "jurisdictions/_results.html" in [t.name for t in response.templates]
    body = response.content.decode()
    assert body.count('role="option"') == 1
    assert 'data-id="' in body and "Phường Hạ Long" in body and "Tỉnh Quảng Ninh" in body
    assert "<html" not in body


def test_html_partial_says_when_nothing_matches(user_client, units):
    body = user_client.get(URL, {"q": "khong co"}).content.decode()
    assert 'aria-disabled="true"' in body and "Không tìm thấy" in body


def test_only_get_is_allowed(user_client, units):
    assert user_client.post(URL, {"q": "ha"}).status_code == 405
