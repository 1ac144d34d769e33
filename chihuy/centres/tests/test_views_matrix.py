"""Authorization matrix for every centre page: view × role × (own, parent, child, sibling).

A centre the actor cannot see answers 404 and leaks nothing of it; a visible centre
whose action the role does not allow answers 403; allowed requests succeed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from chihuy.centres.access import ACTION_ROLES, Action
from chihuy.centres.choices import AgencyKind, Role
from chihuy.centres.models import Agency

pytestmark = pytest.mark.django_db

# (actor centre, target centre, relation)
RELATIONS = [
    ("commune", "commune", "own"),
    ("commune", "district", "parent"),
    ("district", "commune", "child"),
    ("commune", "sibling", "sibling"),
]
ROLES = [Role.COMMANDER, Role.DEPUTY, Role.MEMBER, Role.STANDING, Role.DUTY_OFFICER]


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    action: Action
    target: str  # what the URL's pk points at: the centre, one of its members, or one of its agencies


PAGES = [
    Page("centres:detail", "get", Action.VIEW, "centre"),
    Page("centres:coverage", "get", Action.VIEW, "centre"),
    Page("centres:edit", "get", Action.EDIT, "centre"),
    Page("centres:edit", "post", Action.EDIT, "centre"),
    Page("centres:child_create", "get", Action.CREATE_CHILD, "centre"),
    Page("centres:status", "post", Action.CHANGE_STATUS, "centre"),
    Page("centres:member_create", "get", Action.MANAGE_MEMBERS, "centre"),
    Page("centres:member_create", "post", Action.MANAGE_MEMBERS, "centre"),
    Page("centres:agency_create", "get", Action.EDIT, "centre"),
    Page("centres:member_edit", "get", Action.MANAGE_MEMBERS, "member"),
    Page("centres:member_edit", "post", Action.MANAGE_MEMBERS, "member"),
    Page("centres:member_deactivate", "post", Action.MANAGE_MEMBERS, "member"),
    Page("centres:agency_edit", "get", Action.EDIT, "agency"),
    Page("centres:agency_edit", "post", Action.EDIT, "agency"),
    Page("centres:agency_delete", "post", Action.EDIT, "agency"),
]


def _pk(world, page: Page, target_key: str) -> int:
    centre = world.centre(target_key)
    if page.target == "centre":
        return centre.pk
    if page.target == "member":
        return centre.members.get(role=Role.DUTY_OFFICER).pk
    agency, _ = Agency.objects.get_or_create(
        centre=centre, name="Cơ quan kiểm thử", defaults={"kind": AgencyKind.OTHER}
    )
    return agency.pk


def _expected(page: Page, role: str, relation: str) -> str:
    visible = relation in ("own", "child")
    if not visible:
        return "404"
    if page.action == Action.VIEW:
        return "ok"
    if relation == "own" and role in ACTION_ROLES[page.action]:
        return "ok"
    return "403"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.method}-{p.name}")
@pytest.mark.parametrize(("actor_key", "target_key", "relation"), RELATIONS, ids=[r[2] for r in RELATIONS])
@pytest.mark.parametrize("role", ROLES, ids=[str(r) for r in ROLES])
def test_centre_pages_matrix(world, client, page, actor_key, target_key, relation, role):
    user = world.user(actor_key, role)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse(page.name, args=[_pk(world, page, target_key)])
    response = client.post(url, {}) if page.method == "post" else client.get(url)
    expected = _expected(page, role, relation)
    target = world.centre(target_key)
    if expected == "404":
        assert response.status_code == 404
        body = response.content.decode()
        assert target.name not in body
        assert target.hotline not in body
    elif expected == "403":
        assert response.status_code == 403
    else:
        assert response.status_code in (200, 302), response.status_code


@pytest.mark.parametrize("name", ["centres:home", "centres:list", "audit:list"])
def test_anonymous_is_sent_to_login(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.method}-{p.name}")
def test_anonymous_never_reaches_a_centre_page(client, world, page):
    url = reverse(page.name, args=[_pk(world, page, "commune")])
    response = client.post(url, {}) if page.method == "post" else client.get(url)
    assert response.status_code == 302
    assert world.commune.name not in response.content.decode()


@pytest.mark.parametrize(
    ("actor_key", "role", "expected"),
    [
        ("commune", Role.COMMANDER, 200),
        ("commune", Role.DEPUTY, 200),
        ("commune", Role.MEMBER, 403),
        ("commune", Role.STANDING, 403),
        ("commune", Role.DUTY_OFFICER, 403),
    ],
)
def test_audit_page_for_leaders_only(world, client, actor_key, role, expected):
    client.force_login(world.user(actor_key, role), backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("audit:list")).status_code == expected


@pytest.mark.parametrize(("target_key", "expected"), [("commune", 200), ("district", 404), ("sibling", 404)])
def test_audit_page_for_another_centre(world, client, target_key, expected):
    client.force_login(
        world.user("commune", Role.COMMANDER), backend="django.contrib.auth.backends.ModelBackend"
    )
    response = client.get(reverse("audit:list"), {"centre": world.centre(target_key).pk})
    assert response.status_code == expected
    if expected == 404:
        assert world.centre(target_key).name not in response.content.decode()


def test_centre_list_shows_only_visible_centres(world, client):
    client.force_login(
        world.user("commune", Role.DUTY_OFFICER), backend="django.contrib.auth.backends.ModelBackend"
    )
    body = client.get(reverse("centres:list")).content.decode()
    assert world.commune.name in body
    for other in (world.sibling, world.district, world.province):
        assert other.name not in body
