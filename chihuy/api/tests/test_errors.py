"""Errors are RFC 9457 problems, in Vietnamese unless the client asks for English."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chihuy.api.base import ApiRateThrottle
from chihuy.api.errors import django_validation_errors
from chihuy.api.tests.conftest import assert_problem
from chihuy.centres.choices import Role

pytestmark = pytest.mark.django_db


def test_django_validation_error_mapping():
    exc = ValidationError({"hotline": ["Sai."], "__all__": ["Chung."]})
    assert django_validation_errors(exc) == {"hotline": ["Sai."], "non_field_errors": ["Chung."]}
    assert django_validation_errors(ValidationError("Một lỗi.")) == {"non_field_errors": ["Một lỗi."]}
    assert django_validation_errors(ValidationError(["A", "B"])) == {"non_field_errors": ["A", "B"]}


def test_404_problem_has_instance_and_code(world, api):
    url = reverse("api:centre", args=[world.sibling.pk])
    body = assert_problem(api(world.user("commune", Role.MEMBER)).get(url), 404)
    assert body["instance"] == url
    assert body["code"] == "not_found"
    assert body["title"] == "Không tìm thấy"


def test_403_problem(world, api):
    url = reverse("api:centre", args=[world.commune.pk])
    body = assert_problem(api(world.user("commune", Role.MEMBER)).patch(url, {}, format="json"), 403)
    assert body["code"] == "permission_denied"
    assert body["title"] == "Không có quyền"


def test_405_problem(world, api):
    response = api(world.user("commune", Role.COMMANDER)).put(
        reverse("api:centre", args=[world.commune.pk]), {}, format="json"
    )
    body = assert_problem(response, 405)
    assert body["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_405_still_hides_nothing_from_anonymous(world, anon):
    assert_problem(anon.put(reverse("api:centre", args=[world.commune.pk]), {}, format="json"), 401)


def test_429_problem(world, api, monkeypatch):
    monkeypatch.setattr(ApiRateThrottle, "rate", "2/minute")
    # Mid-window on a stopped clock: the three requests cannot straddle two windows.
    monkeypatch.setattr(ApiRateThrottle, "timer", lambda self: 1_000_030.0)
    client = api(world.user("commune", Role.MEMBER))
    assert client.get(reverse("api:me")).status_code == 200
    assert client.get(reverse("api:me")).status_code == 200
    response = client.get(reverse("api:me"))
    body = assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0
    assert body["code"] == "throttled"
    assert "giây" in body["detail"]


def test_unknown_address_is_a_problem(anon):
    response = anon.get("/api/v1/khong-co")
    body = assert_problem(response, 404)
    assert body["instance"] == "/api/v1/khong-co"


def test_malformed_json_is_a_400_problem(world, api):
    response = api(world.user("commune", Role.COMMANDER)).generic(
        "PATCH", reverse("api:centre", args=[world.commune.pk]), "{not json", content_type="application/json"
    )
    body = assert_problem(response, 400)
    assert body["code"] == "parse_error"
    assert "errors" not in body


def test_unsupported_media_type(world, api):
    response = api(world.user("commune", Role.COMMANDER)).generic(
        "PATCH", reverse("api:centre", args=[world.commune.pk]), "a=b", content_type="text/plain"
    )
    assert_problem(response, 415)


def test_a_list_body_is_a_400(world, api):
    response = api(world.user("commune", Role.COMMANDER)).patch(
        reverse("api:centre", args=[world.commune.pk]), [1, 2], format="json"
    )
    body = assert_problem(response, 400)
    assert "non_field_errors" in body["errors"]


def test_nested_list_errors_are_flattened(world, api):
    url = reverse("api:centre-members", args=[world.commune.pk])
    response = api(world.user("commune", Role.COMMANDER)).post(
        url, {"username": "x", "role": "deputy", "sectors": ["cach_ly", "khong-co"]}, format="json"
    )
    body = assert_problem(response, 400)
    assert list(body["errors"]) == ["sectors.1"]


def test_vietnamese_by_default(world, anon):
    body = assert_problem(anon.get(reverse("api:me")), 401)
    assert body["title"] == "Chưa xác thực"
    assert "khoá API" in body["detail"]


def test_english_on_request(world, anon, api):
    body = assert_problem(anon.get(reverse("api:me"), HTTP_ACCEPT_LANGUAGE="en"), 401)
    assert body["title"] == "Unauthorized"
    assert "API token" in body["detail"]
    url = reverse("api:centre", args=[world.commune.pk])
    client = api(world.user("commune", Role.COMMANDER))
    body = assert_problem(
        client.patch(url, {"hotline": "abc"}, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400
    )
    assert body["title"] == "Bad request"
    body = assert_problem(client.patch(url, {"name": ""}, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert body["errors"]["name"] == ["This field may not be blank."]
    body = assert_problem(client.patch(url, {"status": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert body["errors"]["status"] == ["This field cannot be changed."]


def test_drf_messages_are_vietnamese_by_default(world, api):
    url = reverse("api:centre-members", args=[world.commune.pk])
    body = assert_problem(
        api(world.user("commune", Role.COMMANDER)).post(url, {"role": "chief"}, format="json"), 400
    )
    assert body["errors"]["username"] == ["Trường này là bắt buộc."]
    assert body["errors"]["role"] == ["“chief” không phải là lựa chọn hợp lệ."]
