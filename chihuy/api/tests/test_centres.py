"""Centres, members and agencies over the API: lists, pagination, writes through the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chihuy.api.tests.conftest import assert_problem
from chihuy.centres.choices import CentreLevel, CentreStatus, Role
from chihuy.centres.models import Agency, Centre, Member
from chihuy.core.testing.factories import CentreFactory, JurisdictionFactory, MemberFactory, UserFactory
from chihuy.jurisdictions.choices import Kind, Level, Structure

pytestmark = pytest.mark.django_db


def _names(response) -> set[str]:
    return {c["name"] for c in response.json()["results"]}


def test_list_shows_only_visible_centres(world, api):
    response = api(world.user("commune", Role.DUTY_OFFICER)).get(reverse("api:centres"))
    assert response.status_code == 200
    assert _names(response) == {world.commune.name}
    assert response.json()["count"] == 1


def test_list_for_the_district_has_its_subtree(world, api):
    response = api(world.user("district", Role.MEMBER)).get(reverse("api:centres"))
    assert _names(response) == {world.district.name, world.commune.name, world.sibling.name}


def test_list_filters(world, api):
    client = api(world.user("province", Role.MEMBER))
    assert _names(client.get(reverse("api:centres"), {"level": "commune"})) == {
        world.commune.name,
        world.sibling.name,
    }
    assert _names(client.get(reverse("api:centres"), {"q": "tich son"})) == {world.commune.name}
    assert _names(client.get(reverse("api:centres"), {"q": "VY"})) == {world.district.name}
    Centre.objects.filter(pk=world.sibling.pk).update(status=CentreStatus.PROPOSED)
    assert _names(client.get(reverse("api:centres"), {"status": "proposed"})) == {world.sibling.name}


def test_list_rejects_an_unknown_level(world, api):
    body = assert_problem(
        api(world.user("province", Role.MEMBER)).get(reverse("api:centres"), {"level": "x"}), 400
    )
    assert "level" in body["errors"]


def test_pagination(world, api):
    client = api(world.user("province", Role.MEMBER))
    first = client.get(reverse("api:centres"), {"limit": 2}).json()
    assert first["count"] == 4
    assert len(first["results"]) == 2
    assert first["next"] and "offset=2" in first["next"]
    assert first["previous"] is None
    second = client.get(reverse("api:centres"), {"limit": 2, "offset": 2}).json()
    assert len(second["results"]) == 2
    assert {c["id"] for c in first["results"]}.isdisjoint({c["id"] for c in second["results"]})


def test_page_size_has_a_default_and_a_ceiling(world, api):
    Centre.objects.bulk_create(
        [Centre(name=f"SCH {i}", short_code=f"F{i:03d}", level=CentreLevel.FORWARD) for i in range(205)]
    )
    admin = UserFactory(username="quantri", is_superuser=True)
    client = api(admin)
    assert len(client.get(reverse("api:centres")).json()["results"]) == 50
    big = client.get(reverse("api:centres"), {"limit": 1000}).json()
    assert big["count"] == 209
    assert len(big["results"]) == 200


def _many_communes(world, n: int) -> None:
    for i in range(n):
        ward = JurisdictionFactory(
            structure=Structure.LEGACY,
            level=Level.COMMUNE,
            kind=Kind.PHUONG,
            parent=world.district.jurisdiction,
        )
        centre = CentreFactory(level=CentreLevel.COMMUNE, jurisdiction=ward, parent=world.district)
        MemberFactory(centre=centre, role=Role.COMMANDER)
        if i % 3 == 0:
            Agency.objects.create(centre=centre, name="Trạm Y tế", kind="health")


def test_list_query_count_does_not_grow_with_centres(world, api, django_assert_max_num_queries):
    _many_communes(world, 30)
    client = api(world.user("district", Role.COMMANDER))
    client.get(reverse("api:me"))  # token's last_used_at is written now, not in the measured call
    with django_assert_max_num_queries(6):
        response = client.get(reverse("api:centres"), {"limit": 100})
    assert response.json()["count"] == 33


def test_children_and_members_query_counts(world, api, django_assert_max_num_queries):
    _many_communes(world, 20)
    client = api(world.user("district", Role.COMMANDER))
    client.get(reverse("api:me"))
    with django_assert_max_num_queries(6):
        children = client.get(reverse("api:centre-children", args=[world.district.pk]), {"limit": 100})
    assert children.json()["count"] == 22
    assert all("active_members" in c for c in children.json()["results"])
    with django_assert_max_num_queries(7):
        members = client.get(reverse("api:centre-members", args=[world.district.pk]))
    assert members.json()["count"] == 5


def test_detail_fields(world, api):
    body = api(world.user("commune", Role.MEMBER)).get(reverse("api:centre", args=[world.commune.pk])).json()
    assert body["id"] == world.commune.pk
    assert body["short_code"] == "TS"
    assert body["level"] == "commune"
    assert body["parent"] == world.district.pk
    assert body["jurisdiction"]["name"] == "Phường Tích Sơn"
    assert body["status"] == "active"
    assert "path" not in body


def test_patch_changes_editable_fields(world, api):
    client = api(world.user("commune", Role.STANDING))
    url = reverse("api:centre", args=[world.commune.pk])
    response = client.patch(url, {"hotline": "0211 3999 999", "room_primary_capacity": 30}, format="json")
    assert response.status_code == 200, response.content
    world.commune.refresh_from_db()
    assert world.commune.hotline == "0211 3999 999"
    assert world.commune.room_primary_capacity == 30


def test_patch_same_short_code_is_not_a_duplicate(world, api):
    url = reverse("api:centre", args=[world.commune.pk])
    response = api(world.user("commune", Role.COMMANDER)).patch(url, {"short_code": "TS"}, format="json")
    assert response.status_code == 200, response.content


def test_patch_invalid_hotline_is_a_field_error(world, api):
    url = reverse("api:centre", args=[world.commune.pk])
    response = api(world.user("commune", Role.COMMANDER)).patch(url, {"hotline": "gọi tôi"}, format="json")
    body = assert_problem(response, 400)
    assert list(body["errors"]) == ["hotline"]
    assert "Số điện thoại không hợp lệ" in body["errors"]["hotline"][0]
    assert body["code"] == "invalid"


@pytest.mark.parametrize("field", ["status", "level", "parent", "path", "decision_file"])
def test_patch_refuses_fields_that_are_not_editable(world, api, field):
    url = reverse("api:centre", args=[world.commune.pk])
    response = api(world.user("commune", Role.COMMANDER)).patch(url, {field: "x"}, format="json")
    body = assert_problem(response, 400)
    assert field in body["errors"]
    world.commune.refresh_from_db()
    assert world.commune.status == CentreStatus.ACTIVE


def test_patch_fallback_member_must_belong_to_the_centre(world, api):
    other = world.sibling.members.first()
    url = reverse("api:centre", args=[world.commune.pk])
    response = api(world.user("commune", Role.COMMANDER)).patch(
        url, {"hotline_fallback_member": other.pk}, format="json"
    )
    body = assert_problem(response, 400)
    assert "hotline_fallback_member" in body["errors"]
    own = world.commune.members.get(role=Role.DUTY_OFFICER)
    response = api(world.user("commune", Role.COMMANDER)).patch(
        url, {"hotline_fallback_member": own.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["hotline_fallback_member"] == own.pk


def test_status_backwards_is_a_service_field_error(world, api):
    url = reverse("api:centre-status", args=[world.commune.pk])
    response = api(world.user("commune", Role.COMMANDER)).post(url, {"status": "proposed"}, format="json")
    body = assert_problem(response, 400)
    assert list(body["errors"]) == ["status"]
    assert "Không thể chuyển" in body["errors"]["status"][0]


def test_status_of_a_district_with_live_children(world, api):
    url = reverse("api:centre-status", args=[world.district.pk])
    response = api(world.user("district", Role.DEPUTY)).post(url, {"status": "dissolved"}, format="json")
    body = assert_problem(response, 400)
    assert "status" in body["errors"]


def test_status_forward(world, api):
    Centre.objects.filter(pk=world.commune.pk).update(status=CentreStatus.PROPOSED)
    url = reverse("api:centre-status", args=[world.commune.pk])
    client = api(world.user("commune", Role.COMMANDER))
    body = assert_problem(client.post(url, {"status": "established"}, format="json"), 400)
    assert "quyết định" in body["errors"]["status"][0]
    client.patch(
        reverse("api:centre", args=[world.commune.pk]),
        {"decision_number": "12/QĐ-UBND", "decision_date": "2026-03-01"},
        format="json",
    )
    response = client.post(url, {"status": "established", "on": "2026-03-02"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "established"
    assert response.json()["established_on"] == "2026-03-02"


def test_create_child_centre(world, api):
    ward = JurisdictionFactory(
        structure=Structure.LEGACY,
        level=Level.COMMUNE,
        kind=Kind.PHUONG,
        name="Phường Đống Đa",
        parent=world.district.jurisdiction,
    )
    client = api(world.user("district", Role.STANDING))
    payload = {
        "parent": world.district.pk,
        "name": "Trung tâm chỉ huy phường Đống Đa",
        "short_code": "DD",
        "level": "commune",
        "jurisdiction": ward.pk,
        "hotline": "0211 3862 000",
    }
    response = client.post(reverse("api:centres"), payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "proposed"
    assert body["parent"] == world.district.pk
    created = Centre.objects.get(pk=body["id"])
    assert created.path == f"{world.district.path}{created.pk}/"
    # Again on the same ward: the service's placement rule, as a field error.
    payload["short_code"] = "DD2"
    body = assert_problem(client.post(reverse("api:centres"), payload, format="json"), 400)
    assert "jurisdiction" in body["errors"]


def test_create_checks_the_parent_before_the_body(world, api):
    client = api(world.user("district", Role.MEMBER))
    assert_problem(client.post(reverse("api:centres"), {"parent": world.district.pk}, format="json"), 403)
    client = api(world.user("sibling", Role.COMMANDER))
    assert_problem(client.post(reverse("api:centres"), {"parent": world.district.pk}, format="json"), 404)
    body = assert_problem(client.post(reverse("api:centres"), {"name": "x"}, format="json"), 400)
    assert "parent" in body["errors"]


def test_create_under_a_commune_is_refused_by_the_service(world, api):
    client = api(world.user("commune", Role.COMMANDER))
    payload = {
        "parent": world.commune.pk,
        "name": "Tổ",
        "short_code": "TO1",
        "level": "commune",
        "jurisdiction": world.commune.jurisdiction_id,
    }
    body = assert_problem(client.post(reverse("api:centres"), payload, format="json"), 400)
    assert "parent" in body["errors"]


def test_coverage(world, api):
    body = api(world.user("district", Role.MEMBER)).get(
        reverse("api:centre-coverage", args=[world.district.pk])
    )
    data = body.json()
    assert data["total"] == 2
    assert data["with_centre"] == 2
    assert data["missing_centre"] == []


def test_member_create_update_deactivate(world, api):
    client = api(world.user("commune", Role.COMMANDER))
    agency = Agency.objects.create(centre=world.commune, name="Công an phường", kind="police")
    response = client.post(
        reverse("api:centre-members", args=[world.commune.pk]),
        {
            "username": "pho2",
            "full_name": "Trần Thị B",
            "role": "deputy",
            "agency": agency.pk,
            "sectors": ["cach_ly", "an_ninh"],
            "since": "2026-01-05",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user"]["username"] == "pho2"
    assert sorted(body["sectors"]) == ["an_ninh", "cach_ly"]
    url = reverse("api:member", args=[body["id"]])
    response = client.patch(url, {"title": "Trưởng Công an phường", "sectors": ["an_ninh"]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["sectors"] == ["an_ninh"]
    assert client.delete(url).status_code == 204
    assert Member.objects.get(pk=body["id"]).is_active is False
    listed = client.get(reverse("api:centre-members", args=[world.commune.pk])).json()
    assert body["id"] not in {m["id"] for m in listed["results"]}
    listed = client.get(reverse("api:centre-members", args=[world.commune.pk]), {"include_inactive": "true"})
    assert body["id"] in {m["id"] for m in listed.json()["results"]}


def test_member_field_errors(world, api):
    client = api(world.user("commune", Role.COMMANDER))
    other_agency = Agency.objects.create(centre=world.sibling, name="Công an phường", kind="police")
    url = reverse("api:centre-members", args=[world.commune.pk])
    body = assert_problem(
        client.post(url, {"username": "x1", "role": "chief", "agency": other_agency.pk}, format="json"), 400
    )
    assert set(body["errors"]) == {"role", "agency"}
    # The service's rules: one commander per centre; sectors only for deputies.
    body = assert_problem(client.post(url, {"username": "x2", "role": "commander"}, format="json"), 400)
    assert "role" in body["errors"]
    body = assert_problem(
        client.post(url, {"username": "x3", "role": "member", "sectors": ["cach_ly"]}, format="json"), 400
    )
    assert "sectors" in body["errors"]


def test_agency_create_update_delete(world, api):
    client = api(world.user("commune", Role.STANDING))
    response = client.post(
        reverse("api:centre-agencies", args=[world.commune.pk]),
        {"name": "Trạm Y tế phường", "kind": "health"},
        format="json",
    )
    assert response.status_code == 201, response.content
    agency_id = response.json()["id"]
    assert response.json()["active_members"] == 0
    url = reverse("api:agency", args=[agency_id])
    assert client.patch(url, {"order": 1}, format="json").json()["order"] == 1
    body = assert_problem(client.patch(url, {"centre": world.sibling.pk}, format="json"), 400)
    assert "centre" in body["errors"]
    assert client.delete(url).status_code == 204
    assert not Agency.objects.filter(pk=agency_id).exists()


def test_agency_duplicate_name_and_delete_with_members(world, api):
    client = api(world.user("commune", Role.COMMANDER))
    agency = Agency.objects.create(centre=world.commune, name="Công an phường", kind="police")
    body = assert_problem(
        client.post(
            reverse("api:centre-agencies", args=[world.commune.pk]),
            {"name": "Công an phường", "kind": "police"},
            format="json",
        ),
        400,
    )
    assert body["errors"]
    member = world.commune.members.get(role=Role.MEMBER)
    member.agency = agency
    member.save()
    body = assert_problem(client.delete(reverse("api:agency", args=[agency.pk])), 400)
    assert list(body["errors"]) == ["non_field_errors"]
    assert body["detail"] == body["errors"]["non_field_errors"][0]
    assert Agency.objects.filter(pk=agency.pk).exists()
    listed = client.get(reverse("api:centre-agencies", args=[world.commune.pk])).json()
    assert listed["results"][0]["active_members"] == 1
