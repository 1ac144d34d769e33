"""GET /centres/{id} for every world user against every world centre.

A user sees his own centre and everything below it: 200. Anything else, 404, with
nothing of the centre in the answer.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from chihuy.api.tests.conftest import assert_problem

pytestmark = pytest.mark.django_db

CENTRES = ["province", "district", "commune", "sibling"]
ROLES = ["commander", "deputy", "member", "standing", "duty_officer"]
BELOW = {
    "province": {"province", "district", "commune", "sibling"},
    "district": {"district", "commune", "sibling"},
    "commune": {"commune"},
    "sibling": {"sibling"},
}


@pytest.mark.parametrize("target", CENTRES)
@pytest.mark.parametrize("actor", CENTRES)
@pytest.mark.parametrize("role", ROLES)
def test_centre_detail_matrix(world, api, role, actor, target):
    centre = world.centre(target)
    response = api(world.user(actor, role)).get(reverse("api:centre", args=[centre.pk]))
    if target in BELOW[actor]:
        assert response.status_code == 200
        assert response.json()["id"] == centre.pk
    else:
        assert_problem(response, 404)
        assert centre.name not in response.content.decode()


@pytest.mark.parametrize("target", CENTRES)
def test_centre_detail_anonymous(world, anon, target):
    assert_problem(anon.get(reverse("api:centre", args=[world.centre(target).pk])), 401)


def test_centre_detail_unknown_id(world, api):
    assert_problem(api(world.user("province", "commander")).get(reverse("api:centre", args=[999999])), 404)
