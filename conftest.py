"""Test fixtures shared by the whole suite.

``world`` is the base set of the house style: a province centre, one of its
district centres, a commune centre under that district and a sibling commune,
each with one user per role, so every view can be checked against own centre,
parent, child and sibling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from chihuy.centres.choices import CentreLevel, Role
from chihuy.jurisdictions.choices import Kind, Level, Structure

ROLES = [Role.COMMANDER, Role.DEPUTY, Role.MEMBER, Role.STANDING, Role.DUTY_OFFICER]


@dataclass
class World:
    province: Any
    district: Any
    commune: Any
    sibling: Any
    users: dict[tuple[str, str], Any] = field(default_factory=dict)

    def user(self, centre_key: str, role: str) -> Any:
        return self.users[(centre_key, role)]

    def centre(self, key: str) -> Any:
        return getattr(self, key)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = True
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    # Process memory, not the database cache of make run and production: the query-count
    # guards then count a view's own queries, not the rate-limit counters'. The shared
    # backends have tests of their own (chihuy/core/tests/test_cache_*.py).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def world(db) -> World:
    from chihuy.core.testing.factories import CentreFactory, JurisdictionFactory, MemberFactory, UserFactory

    vp = JurisdictionFactory(
        structure=Structure.LEGACY, level=Level.PROVINCE, code=26, name="Tỉnh Vĩnh Phúc", kind=Kind.TINH
    )
    vy = JurisdictionFactory(
        structure=Structure.LEGACY,
        level=Level.DISTRICT,
        code=243,
        name="Thành phố Vĩnh Yên",
        kind=Kind.THANH_PHO_THUOC_TINH,
        parent=vp,
    )
    ward_a = JurisdictionFactory(
        structure=Structure.LEGACY,
        level=Level.COMMUNE,
        code=8707,
        name="Phường Tích Sơn",
        kind=Kind.PHUONG,
        parent=vy,
    )
    ward_b = JurisdictionFactory(
        structure=Structure.LEGACY,
        level=Level.COMMUNE,
        code=8710,
        name="Phường Liên Bảo",
        kind=Kind.PHUONG,
        parent=vy,
    )
    province = CentreFactory(
        name="Trung tâm chỉ huy tỉnh Vĩnh Phúc", short_code="VP", level=CentreLevel.PROVINCE, jurisdiction=vp
    )
    district = CentreFactory(
        name="Trung tâm chỉ huy thành phố Vĩnh Yên",
        short_code="VY",
        level=CentreLevel.DISTRICT,
        jurisdiction=vy,
        parent=province,
    )
    commune = CentreFactory(
        name="Trung tâm chỉ huy phường Tích Sơn",
        short_code="TS",
        level=CentreLevel.COMMUNE,
        jurisdiction=ward_a,
        parent=district,
    )
    sibling = CentreFactory(
        name="Trung tâm chỉ huy phường Liên Bảo",
        short_code="LB",
        level=CentreLevel.COMMUNE,
        jurisdiction=ward_b,
        parent=district,
    )
    w = World(province=province, district=district, commune=commune, sibling=sibling)
    for key in ("province", "district", "commune", "sibling"):
        for role in ROLES:
            user = UserFactory(username=f"{key}_{role}", full_name=f"{role} {key}")
            MemberFactory(centre=w.centre(key), user=user, role=role)
            w.users[(key, str(role))] = user
    return w


@pytest.fixture
def login(client):
    """Log a user in on the Django test client and return the client."""

    def _login(user: Any) -> Any:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


@pytest.fixture
def gateway() -> Any:
    """A stand-in SMS / Zalo gateway on 127.0.0.1 that records each POST (``.requests``) and answers
    ``.status`` (200 by default); see ``chihuy.core.testing.gateway``."""
    from chihuy.core.testing.gateway import FakeGateway

    with FakeGateway() as fake:
        yield fake


@pytest.fixture
def _fresh_throttle_cache() -> Any:
    # The API throttle counts in the cache, and ids repeat across tests.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon(_fresh_throttle_cache: Any) -> Any:
    """An API client with no credentials."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def api(_fresh_throttle_cache: Any) -> Any:
    """``api(user)``: an API client sending a fresh bearer token of ``user``."""
    from rest_framework.test import APIClient

    from chihuy.api.services import api_token_create

    def _api(user: Any) -> APIClient:
        _, secret = api_token_create(user=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return _api
