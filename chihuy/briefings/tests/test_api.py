"""GET /api/v1/briefings, /briefings/<id>, /briefings/<id>/attendance (issue 6 §9)."""

from __future__ import annotations

import pytest

from chihuy.api.tests.conftest import assert_problem
from chihuy.briefings import services
from chihuy.briefings.choices import Attendance
from chihuy.briefings.tests.conftest import at
from chihuy.briefings.tests.factories import BriefingFactory
from chihuy.centres.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def briefing(world, frozen):
    b = services.briefing_create(centre=world.province, actor=None, starts_at=at(14), title="Họp đột xuất")
    member = world.user("province", Role.MEMBER)
    absence = services.absence_request(participant=b.participants.get(user=member), actor=member, reason="Ốm")
    services.absence_decide(absence=absence, actor=b.chair, approve=True)
    frozen.move_to(at(14, 5))
    services.attendance_record(briefing=b, actor=b.chair, user=b.chair, attendance=Attendance.PRESENT)
    return b


def test_list_with_filters(world, briefing, api, django_assert_max_num_queries):
    BriefingFactory(centre=world.province, starts_at=at(9, day=25), title="Tuần sau", people=False)
    client = api(world.user("province", Role.COMMANDER))
    with django_assert_max_num_queries(10):
        data = client.get("/api/v1/briefings", {"centre": world.province.pk}).json()
    assert [r["title"] for r in data["results"]] == ["Tuần sau", "Họp đột xuất"]
    only = client.get("/api/v1/briefings", {"centre": world.province.pk, "date_to": "2026-11-21"}).json()
    assert [r["title"] for r in only["results"]] == ["Họp đột xuất"]
    assert only["results"][0]["video_url"] == "https://meet.jit.si/chihuy-vp-20261120-1400"
    assert only["results"][0]["kind"] == "adhoc"
    joined = api(world.user("district", Role.MEMBER)).get(
        "/api/v1/briefings", {"centre": world.district.pk, "joined": "true"}
    )
    assert [r["title"] for r in joined.json()["results"]] == ["Họp đột xuất"]


def test_list_bad_filters(world, briefing, api):
    client = api(world.user("province", Role.COMMANDER))
    problem = assert_problem(client.get("/api/v1/briefings", {"centre": world.province.pk, "kind": "x"}), 400)
    assert "kind" in problem["errors"]
    problem = assert_problem(
        client.get(
            "/api/v1/briefings",
            {"centre": world.province.pk, "date_from": "2026-11-21", "date_to": "2026-11-01"},
        ),
        400,
    )
    assert "date_to" in problem["errors"]


def test_detail_has_points_people_and_attendance(world, briefing, api, django_assert_max_num_queries):
    client = api(world.user("district", Role.MEMBER))
    with django_assert_max_num_queries(12):
        data = client.get(f"/api/v1/briefings/{briefing.pk}").json()
    assert {p["kind"] for p in data["points"]} == {"hq", "child", "personal"}
    people = {p["user"]["username"]: p for p in data["participants"]}
    assert people["province_commander"]["attendance"] == "present"
    assert people["province_member"]["attendance"] == "excused"
    assert people["province_member"]["absences"][0]["status"] == "approved"


def test_attendance_list_filters(world, briefing, api):
    client = api(world.user("province", Role.STANDING))
    rows = client.get(f"/api/v1/briefings/{briefing.pk}/attendance", {"attendance": "excused"}).json()[
        "results"
    ]
    assert [r["user"]["username"] for r in rows] == ["province_member"]
    hq = briefing.points.get(kind="hq")
    rows = client.get(f"/api/v1/briefings/{briefing.pk}/attendance", {"point": hq.pk}).json()["results"]
    assert len(rows) == 4


def test_denied_access(world, briefing, api, anon):
    assert_problem(anon.get("/api/v1/briefings", {"centre": world.province.pk}), 401)
    assert_problem(anon.get(f"/api/v1/briefings/{briefing.pk}"), 401)
    sibling = api(world.user("sibling", Role.COMMANDER))
    assert_problem(sibling.get("/api/v1/briefings", {"centre": world.province.pk}), 404)
    assert_problem(sibling.get(f"/api/v1/briefings/{briefing.pk}"), 404)
    assert_problem(sibling.get(f"/api/v1/briefings/{briefing.pk}/attendance"), 404)


def test_schema_documents_the_endpoints(world, api):
    schema = api(world.user("province", Role.COMMANDER)).get("/api/v1/schema", {"format": "json"}).json()
    for path in ("/api/v1/briefings", "/api/v1/briefings/{id}", "/api/v1/briefings/{id}/attendance"):
        assert path in schema["paths"], path
