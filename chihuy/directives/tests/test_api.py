from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from chihuy.directives.models import Task, TaskAttachment
from chihuy.directives.tests.conftest import assignment_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def _as(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return _as


def _new(world, **over):
    body = {
        "centre": world.district.pk,
        "title": "Báo cáo tiêm chủng",
        "assignee_centres": [world.commune.pk, world.sibling.pk],
        "deadline": "2026-11-23T17:00:00+07:00",
        "priority": "high",
    }
    body.update(over)
    return body


def test_anonymous_gets_401(api):
    response = api().get("/api/v1/tasks", {"centre": 1})
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/problem+json")


def test_create_list_and_detail(world, api, clock):
    client = api(world.user("district", "commander"))
    response = client.post("/api/v1/tasks", _new(world), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert [a["assignee_centre"]["short_code"] for a in data["assignments"]] == ["LB", "TS"]
    listed = client.get("/api/v1/tasks", {"centre": world.district.pk, "status": "assigned"}).json()
    assert listed["count"] == 1
    assert client.get("/api/v1/tasks", {"centre": world.district.pk, "overdue": "true"}).json()["count"] == 0
    commune = api(world.user("commune", "member"))
    detail = commune.get(f"/api/v1/tasks/{data['id']}").json()
    assert [a["assignee_centre"]["short_code"] for a in detail["assignments"]] == ["TS"]
    received = commune.get("/api/v1/tasks", {"centre": world.commune.pk, "scope": "received"}).json()
    assert received["count"] == 1


def test_date_only_deadline(world, api, clock):
    response = api(world.user("district", "commander")).post(
        "/api/v1/tasks", _new(world, deadline="2026-11-24"), format="json"
    )
    assert response.json()["deadline"].startswith("2026-11-24T23:59:00+07:00")


@pytest.mark.parametrize(
    "over,field,text",
    [
        ({"deadline": "2026-11-20T17:00:00+07:00"}, "deadline", "không được trước thời điểm giao"),
        ({"assignee_centres": [0]}, "assignee_centres", "Không tìm thấy trung tâm"),
        ({"deadline": "ngày mai"}, "deadline", "Hạn hoàn thành không hợp lệ"),
        ({"title": ""}, "title", "Nhập tiêu đề"),
        ({"status": "done"}, "status", "không được phép sửa"),
    ],
)
def test_bad_input_is_a_problem_with_field_errors(world, api, clock, over, field, text):
    response = api(world.user("district", "commander")).post(
        "/api/v1/tasks", _new(world, **over), format="json"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert text in " ".join(response.json()["errors"][field])
    assert not Task.objects.exists()


def test_assigning_a_centre_that_is_not_a_child(world, api, clock):
    response = api(world.user("province", "commander")).post(
        "/api/v1/tasks",
        _new(world, centre=world.province.pk, assignee_centres=[world.commune.pk]),
        format="json",
    )
    assert response.status_code == 400
    assert "không phải trung tâm cấp dưới trực tiếp" in response.json()["errors"]["assignee_centres"][0]


def test_create_denied(world, api, clock):
    assert (
        api(world.user("district", "duty_officer"))
        .post("/api/v1/tasks", _new(world), format="json")
        .status_code
        == 403
    )
    assert (
        api(world.user("commune", "commander")).post("/api/v1/tasks", _new(world), format="json").status_code
        == 404
    )


def test_patch_by_assigner_only(world, api, directive):
    url = f"/api/v1/tasks/{directive.pk}"
    assert (
        api(world.user("commune", "commander")).patch(url, {"priority": "urgent"}, format="json").status_code
        == 403
    )
    response = api(world.user("district", "commander")).patch(url, {"deadline": "2026-11-25"}, format="json")
    assert response.status_code == 200 and response.json()["deadline"].startswith("2026-11-25T23:59")
    bad = api(world.user("district", "commander")).patch(url, {"deadline": "2026-11-01"}, format="json")
    assert bad.status_code == 400 and "deadline" in bad.json()["errors"]
    assert api(world.user("sibling", "commander")).get(f"/api/v1/tasks/{directive.pk}").status_code == 200


def test_assignment_updates(world, api, directive):
    mine = assignment_of(directive, world.commune)
    theirs = assignment_of(directive, world.sibling)
    commune = api(world.user("commune", "member"))
    url = f"/api/v1/assignments/{mine.pk}/updates"
    # Another commune's part: invisible.
    assert (
        commune.post(
            f"/api/v1/assignments/{theirs.pk}/updates", {"kind": "accept"}, format="json"
        ).status_code
        == 404
    )
    # The district sees it but may not report for the commune: a clear message.
    denied = api(world.user("district", "commander")).post(url, {"kind": "accept"}, format="json")
    assert denied.status_code == 403 and "Tích Sơn" in denied.json()["detail"]
    no_reason = commune.post(url, {"kind": "cannot"}, format="json")
    assert no_reason.status_code == 400 and "lý do" in no_reason.json()["errors"]["note"][0]
    ok = commune.post(
        url,
        {
            "kind": "progress",
            "progress": "30",
            "note": "Đã rà 30 hộ",
            "attachments": [SimpleUploadedFile("bc.pdf", b"%PDF-1.4", content_type="application/pdf")],
        },
        format="multipart",
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["assignment"]["progress"] == 30 and TaskAttachment.objects.count() == 1
    assert ok.json()["entry"]["attachments"][0]["name"] == "bc.pdf"
    too_much = commune.post(url, {"kind": "progress", "progress": 130}, format="json")
    assert too_much.status_code == 400 and "progress" in too_much.json()["errors"]
    done = commune.post(url, {"kind": "done"}, format="json")
    assert done.json()["assignment"]["status"] == "done"


def test_schema_documents_the_endpoints(world, api):
    schema = api(world.user("district", "commander")).get("/api/v1/schema", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    for path in ("/api/v1/tasks", "/api/v1/tasks/{id}", "/api/v1/assignments/{id}/updates"):
        assert path in text
