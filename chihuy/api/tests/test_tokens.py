"""ApiToken: only the hash is stored, and revoked, expired or wrong tokens get a 401 problem."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from chihuy.api.models import ApiToken
from chihuy.api.services import api_token_create, api_token_revoke
from chihuy.api.tests.conftest import assert_problem
from chihuy.audit.models import AuditEntry
from chihuy.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_create_stores_only_the_hash():
    user = UserFactory()
    token, secret = api_token_create(user=user, name="Cổng báo cáo")
    token.refresh_from_db()
    assert len(secret) >= 40
    assert token.prefix == secret[:8]
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.key_hash, token.name, token.prefix}
    entry = AuditEntry.objects.get(object_id=str(token.pk), content_type__model="apitoken")
    assert secret not in str(entry.changes)


def test_create_refuses_an_expiry_in_the_past():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        api_token_create(user=UserFactory(), name="x", expires_at=timezone.now() - dt.timedelta(days=1))
    assert "expires_at" in exc.value.message_dict


def test_valid_token_authenticates_and_records_use():
    user = UserFactory(username="tichhop")
    token, secret = api_token_create(user=user, name="x")
    response = _client(secret).get(reverse("api:me"))
    assert response.status_code == 200
    assert response.json()["username"] == "tichhop"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(django_assert_num_queries):
    user = UserFactory()
    token, secret = api_token_create(user=user, name="x")
    client = _client(secret)
    client.get(reverse("api:me"))
    token.refresh_from_db()
    first = token.last_used_at
    client.get(reverse("api:me"))
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    client.get(reverse("api:me"))
    token.refresh_from_db()
    assert token.last_used_at > first - dt.timedelta(minutes=2)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer wrong-token-value",
        "Bearer",
        "Bearer two parts",
        "Bearer " + "x" * 500,
    ],
)
def test_wrong_token_is_401_problem(header):
    UserFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(reverse("api:me"))
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert body["code"] == "authentication_failed"


def test_revoked_token_is_401():
    token, secret = api_token_create(user=UserFactory(), name="x")
    api_token_revoke(token=token)
    response = _client(secret).get(reverse("api:me"))
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "thu hồi" in body["detail"]


def test_expired_token_is_401():
    token, secret = api_token_create(
        user=UserFactory(), name="x", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = _client(secret).get(reverse("api:me"))
    body = assert_problem(response, 401)
    assert "hết hạn" in body["detail"]


def test_inactive_user_token_is_401():
    user = UserFactory()
    _, secret = api_token_create(user=user, name="x")
    user.is_active = False
    user.save()
    assert_problem(_client(secret).get(reverse("api:me")), 401)


def test_anonymous_is_401_with_bearer_challenge(anon):
    response = anon.get(reverse("api:me"))
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert body["code"] == "not_authenticated"


def test_session_auth_still_works(client):
    user = UserFactory(username="phien")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("api:me")).json()["username"] == "phien"


def test_session_writes_need_csrf(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(
        world.user("commune", "commander"), backend="django.contrib.auth.backends.ModelBackend"
    )
    response = client.patch(reverse("api:centre", args=[world.commune.pk]), {"address": "x"}, format="json")
    assert_problem(response, 403)


def test_token_writes_are_audited_as_the_token_user(world, api):
    user = world.user("commune", "commander")
    response = api(user).patch(
        reverse("api:centre", args=[world.commune.pk]), {"address": "Số 1 Tích Sơn"}, format="json"
    )
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.filter(content_type__model="centre", object_id=str(world.commune.pk)).first()
    assert entry is not None
    assert entry.actor_id == user.pk
    assert entry.changes["address"][1] == "Số 1 Tích Sơn"


def test_command_prints_a_working_token():
    UserFactory(username="baocao")
    out = StringIO()
    call_command("create_api_token", "baocao", "--name", "Báo cáo tỉnh", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1].strip()
    token = ApiToken.objects.get()
    assert token.name == "Báo cáo tỉnh"
    assert token.prefix == secret[:8]
    assert _client(secret).get(reverse("api:me")).json()["username"] == "baocao"


def test_command_with_expiry():
    UserFactory(username="hethan")
    out = StringIO()
    call_command("create_api_token", "hethan", "--days", "30", stdout=out)
    token = ApiToken.objects.get()
    assert token.expires_at is not None
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)


def test_command_unknown_user():
    with pytest.raises(CommandError):
        call_command("create_api_token", "khong-co", stdout=StringIO())
