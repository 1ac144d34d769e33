"""The caller (/me), jurisdiction search and the audit log over the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chihuy.api.tests.conftest import assert_problem
from chihuy.centres.choices import Role
from chihuy.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_me_lists_roles_per_centre(world, api):
    user = world.user("commune", Role.DEPUTY)
    from chihuy.core.testing.factories import MemberFactory

    MemberFactory(centre=world.commune, user=user, role=Role.STANDING)
    body = api(user).get(reverse("api:me")).json()
    assert body["username"] == "commune_deputy"
    assert len(body["centres"]) == 1
    entry = body["centres"][0]
    assert entry["centre"]["id"] == world.commune.pk
    assert sorted(r["role"] for r in entry["roles"]) == ["deputy", "standing"]
    assert "change_status" in entry["actions"]
    assert "security" not in entry["actions"]


def test_me_without_roles(api):
    body = api(UserFactory(username="khach")).get(reverse("api:me")).json()
    assert body["centres"] == []


def test_jurisdiction_search(world, api):
    client = api(world.user("commune", Role.MEMBER))
    response = client.get(reverse("api:jurisdictions"), {"q": "tich son", "structure": "legacy"})
    assert response.status_code == 200
    names = [j["name"] for j in response.json()]
    assert names == ["Phường Tích Sơn"]
    assert response.json()[0]["parent"]["name"] == "Thành phố Vĩnh Yên"
    response = client.get(reverse("api:jurisdictions"), {"q": "phuong", "structure": "legacy", "level": 3})
    assert {j["name"] for j in response.json()} == {"Phường Tích Sơn", "Phường Liên Bảo"}
    # The default structure is the current one, where the world has nothing.
    assert client.get(reverse("api:jurisdictions"), {"q": "tich son"}).json() == []
    assert client.get(reverse("api:jurisdictions")).json() == []


def test_jurisdiction_search_validates_parameters(world, api):
    client = api(world.user("commune", Role.MEMBER))
    body = assert_problem(client.get(reverse("api:jurisdictions"), {"q": "a", "level": 9, "limit": 0}), 400)
    assert set(body["errors"]) == {"level", "limit"}


def test_audit_lists_the_subtree_of_the_leader(world, api):
    client = api(world.user("commune", Role.COMMANDER))
    client.patch(reverse("api:centre", args=[world.commune.pk]), {"address": "Mới"}, format="json")
    api(world.user("sibling", Role.COMMANDER)).patch(
        reverse("api:centre", args=[world.sibling.pk]), {"address": "Khác"}, format="json"
    )
    body = client.get(reverse("api:audit")).json()
    assert body["count"] >= 1
    assert {e["centre"] for e in body["results"]} == {world.commune.pk}
    entry = next(e for e in body["results"] if e["model"] == "centres.centre")
    assert entry["changes"]["address"][1] == "Mới"
    assert entry["actor"] == world.user("commune", Role.COMMANDER).pk


def test_audit_district_leader_can_narrow_to_a_commune(world, api):
    api(world.user("sibling", Role.COMMANDER)).patch(
        reverse("api:centre", args=[world.sibling.pk]), {"address": "Khác"}, format="json"
    )
    client = api(world.user("district", Role.DEPUTY))
    everything = client.get(reverse("api:audit")).json()
    assert world.sibling.pk in {e["centre"] for e in everything["results"]}
    narrowed = client.get(reverse("api:audit"), {"centre": world.commune.pk}).json()
    assert world.sibling.pk not in {e["centre"] for e in narrowed["results"]}


def test_audit_child_leader_cannot_read_the_parent(world, api):
    client = api(world.user("commune", Role.COMMANDER))
    assert_problem(client.get(reverse("api:audit"), {"centre": world.district.pk}), 404)
    assert_problem(client.get(reverse("api:audit"), {"centre": "abc"}), 400)
