"""Every endpoint: anonymous 401, a sibling commune 404, a role without the action 403, allowed 2xx.

All of them answer errors as problem+json, and a 404 says nothing of the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

from chihuy.api.tests.conftest import assert_problem
from chihuy.centres.access import Action
from chihuy.centres.choices import AgencyKind, Role
from chihuy.centres.models import Agency

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    action: Action
    target: str  # the URL's pk: a centre, one of its members or one of its agencies
    body: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method}-{self.name}"


ENDPOINTS = [
    Endpoint("api:centre", "get", Action.VIEW, "centre"),
    Endpoint("api:centre", "patch", Action.EDIT, "centre", {"address": "Số 2 đường Nguyễn Trãi"}),
    Endpoint("api:centre-status", "post", Action.CHANGE_STATUS, "centre", {"status": "dissolved"}),
    Endpoint("api:centre-children", "get", Action.VIEW, "centre"),
    Endpoint("api:centre-coverage", "get", Action.VIEW, "centre"),
    Endpoint("api:centre-members", "get", Action.VIEW, "centre"),
    Endpoint(
        "api:centre-members", "post", Action.MANAGE_MEMBERS, "centre", {"username": "moi", "role": "member"}
    ),
    Endpoint("api:centre-agencies", "get", Action.VIEW, "centre"),
    Endpoint(
        "api:centre-agencies", "post", Action.EDIT, "centre", {"name": "Công an phường", "kind": "police"}
    ),
    Endpoint("api:member", "get", Action.VIEW, "member"),
    Endpoint("api:member", "patch", Action.MANAGE_MEMBERS, "member", {"title": "Cán bộ trực ban"}),
    Endpoint("api:member", "delete", Action.MANAGE_MEMBERS, "member"),
    Endpoint("api:agency", "get", Action.VIEW, "agency"),
    Endpoint("api:agency", "patch", Action.EDIT, "agency", {"short_name": "YT"}),
    Endpoint("api:agency", "delete", Action.EDIT, "agency"),
]
# A role at the commune whose role allows none of the non-view actions, and one that
# is staff (may edit) but not a leader (may not change status).
NO_ACTION_ROLE = Role.MEMBER
STAFF_NOT_LEADER = Role.STANDING


def _url(world, endpoint: Endpoint, key: str = "commune") -> str:
    centre = world.centre(key)
    if endpoint.target == "centre":
        pk = centre.pk
    elif endpoint.target == "member":
        pk = centre.members.get(role=Role.DUTY_OFFICER).pk
    else:
        pk = Agency.objects.get_or_create(
            centre=centre, name="Trạm Y tế", defaults={"kind": AgencyKind.HEALTH}
        )[0].pk
    return reverse(endpoint.name, args=[pk])


def _call(client, endpoint: Endpoint, url: str):
    return getattr(client, endpoint.method)(url, endpoint.body or None, format="json")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_is_401(world, anon, endpoint):
    response = _call(anon, endpoint, _url(world, endpoint))
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert world.commune.name not in response.content.decode()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@pytest.mark.parametrize("role", [Role.COMMANDER, Role.DUTY_OFFICER], ids=str)
def test_sibling_commune_gets_404(world, api, endpoint, role):
    response = _call(api(world.user("sibling", role)), endpoint, _url(world, endpoint))
    assert_problem(response, 404)
    body = response.content.decode()
    assert world.commune.name not in body
    assert world.commune.hotline not in body


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.action != Action.VIEW], ids=str)
def test_role_without_the_action_gets_403(world, api, endpoint):
    response = _call(api(world.user("commune", NO_ACTION_ROLE)), endpoint, _url(world, endpoint))
    assert_problem(response, 403)


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.action != Action.VIEW], ids=str)
def test_parent_centre_staff_cannot_act_on_a_child(world, api, endpoint):
    """A district commander sees the commune but acts only where he holds the role."""
    response = _call(api(world.user("district", Role.COMMANDER)), endpoint, _url(world, endpoint))
    assert_problem(response, 403)


def test_status_needs_a_leader(world, api):
    endpoint = next(e for e in ENDPOINTS if e.name == "api:centre-status")
    response = _call(api(world.user("commune", STAFF_NOT_LEADER)), endpoint, _url(world, endpoint))
    assert_problem(response, 403)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_allowed(world, api, endpoint):
    response = _call(api(world.user("commune", Role.COMMANDER)), endpoint, _url(world, endpoint))
    expected = {"post": (200, 201), "delete": (204,)}.get(endpoint.method, (200,))
    assert response.status_code in expected, (response.status_code, response.content[:400])


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.method == "get"], ids=str)
def test_parent_centre_may_read_a_child(world, api, endpoint):
    response = _call(api(world.user("district", Role.DUTY_OFFICER)), endpoint, _url(world, endpoint))
    assert response.status_code == 200


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.method == "get"], ids=str)
def test_child_centre_cannot_read_its_parent(world, api, endpoint):
    response = _call(api(world.user("commune", Role.COMMANDER)), endpoint, _url(world, endpoint, "district"))
    assert_problem(response, 404)


# --- collection endpoints ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["api:me", "api:jurisdictions", "api:centres", "api:audit"])
def test_collections_anonymous_is_401(world, anon, name):
    assert_problem(anon.get(reverse(name)), 401)


def test_centre_create_anonymous_is_401(world, anon):
    assert_problem(anon.post(reverse("api:centres"), {"parent": world.district.pk}, format="json"), 401)


def test_audit_needs_a_leader(world, api):
    assert_problem(api(world.user("commune", Role.MEMBER)).get(reverse("api:audit")), 403)


def test_audit_of_an_invisible_centre_is_404(world, api):
    client = api(world.user("sibling", Role.COMMANDER))
    body = assert_problem(client.get(reverse("api:audit"), {"centre": world.commune.pk}), 404)
    assert world.commune.name not in str(body)


def test_audit_of_a_visible_centre_led_by_nobody_here_is_403(world, api):
    """A district duty officer sees the commune, but leads nothing: 403 before looking."""
    client = api(world.user("district", Role.DUTY_OFFICER))
    assert_problem(client.get(reverse("api:audit"), {"centre": world.commune.pk}), 403)


def test_audit_allowed_for_the_commander(world, api):
    client = api(world.user("commune", Role.COMMANDER))
    response = client.get(reverse("api:audit"), {"centre": world.commune.pk})
    assert response.status_code == 200
