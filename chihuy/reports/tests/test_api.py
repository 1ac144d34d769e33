"""/api/v1/reports: submit, amend, read, completeness; field errors as problems; denied access."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from chihuy.api.tests.conftest import assert_problem
from chihuy.reports.choices import ReportState, Source
from chihuy.reports.models import DailyReport
from chihuy.reports.tests.factories import figures, submit

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports"


def _body(world, **extra):
    body = {
        "centre": world.commune.pk,
        "date": "2026-11-22",
        "figures": figures(),
        "texts": {"situation": "Ổn định"},
    }
    body.update(extra)
    return body


def test_submit_read_and_amend(world, api, today):
    client = api(world.user("commune", "duty_officer"))
    created = client.post(URL, _body(world), format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "on_time" and data["state"] == "submitted"
    assert data["figures"]["new_cases"] == 3 and data["texts"]["situation"] == "Ổn định"
    assert DailyReport.objects.get().source == Source.API
    pk = data["id"]
    assert client.get(f"{URL}/{pk}").json()["id"] == pk
    amended = client.post(
        f"{URL}/{pk}/amend", {"figures": {"new_cases": 6}, "reason": "Bổ sung"}, format="json"
    )
    assert amended.status_code == 200
    assert amended.json()["status"] == "amended" and amended.json()["figures"]["new_cases"] == 6
    assert amended.json()["version"] == 2


def test_draft_only(world, api, today):
    client = api(world.user("commune", "duty_officer"))
    response = client.post(URL, _body(world, submit=False), format="json")
    assert response.status_code == 201 and response.json()["state"] == ReportState.DRAFT


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"figures": figures(new_cases=-1)}, "figures.new_cases", "Số liệu không được là số âm."),
        (
            {"figures": figures(tests_done="nhiều")},
            "figures.tests_done",
            "Hãy nhập một số nguyên, không phải chữ.",
        ),
        ({"figures": figures(beds_total=3, beds_occupied=5)}, "figures.beds_occupied", "không được lớn hơn"),
        ({"date": "2026-11-23"}, "date", "tương lai"),
        ({"figures": {"unknown": 1}}, "figures.unknown", "không được phép"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(world, api, today, change, field, message):
    client = api(world.user("commune", "duty_officer"))
    problem = assert_problem(client.post(URL, _body(world, **change), format="json"), 400)
    assert message in " ".join(problem["errors"][field])
    assert not DailyReport.objects.exists()


def test_amend_without_reason_or_after_close(world, api, today):
    from chihuy.reports.services import day_close

    report = submit(world.commune, today)
    client = api(world.user("commune", "commander"))
    problem = assert_problem(
        client.post(f"{URL}/{report.pk}/amend", {"figures": {"new_cases": 1}}, format="json"), 400
    )
    assert "reason" in problem["errors"]
    day_close(centre=world.district, day=today)
    problem = assert_problem(
        client.post(f"{URL}/{report.pk}/amend", {"figures": {"new_cases": 1}, "reason": "x"}, format="json"),
        400,
    )
    assert "đã chốt số liệu" in problem["errors"]["date"][0]
    report.refresh_from_db()
    assert report.new_cases == 3


def test_commune_cannot_file_for_another_commune(world, api, today):
    client = api(world.user("commune", "duty_officer"))
    assert_problem(client.post(URL, _body(world, centre=world.sibling.pk), format="json"), 404)
    assert_problem(client.post(URL, _body(world, centre=world.district.pk), format="json"), 404)
    assert not DailyReport.objects.exists()


def test_parent_reads_but_may_not_file_for_child(world, api, today):
    report = submit(world.commune, today)
    client = api(world.user("district", "commander"))
    assert_problem(client.post(URL, _body(world), format="json"), 403)
    assert_problem(client.post(f"{URL}/{report.pk}/amend", {"reason": "x"}, format="json"), 403)
    listed = client.get(URL, {"centre": world.district.pk, "below": "true"}).json()
    assert [r["id"] for r in listed["results"]] == [report.pk]


def test_sibling_and_anonymous(world, api, today):
    report = submit(world.commune, today)
    sibling = api(world.user("sibling", "commander"))
    assert_problem(sibling.get(f"{URL}/{report.pk}"), 404)
    assert_problem(sibling.get(f"{URL}/completeness", {"centre": world.district.pk}), 404)
    anon = APIClient()
    assert anon.get(f"{URL}/{report.pk}").status_code in (401, 403)
    assert anon.post(URL, _body(world), format="json").status_code in (401, 403)
    assert anon.get(f"{URL}/completeness", {"centre": world.district.pk}).status_code in (401, 403)


def test_completeness_for_a_range(world, api, today):
    import datetime as dt

    from chihuy.reports.tests.factories import local

    submit(world.commune, today)
    submit(world.sibling, today - dt.timedelta(days=1), at=local(today, 9))
    client = api(world.user("district", "standing"))
    data = client.get(
        f"{URL}/completeness",
        {"centre": world.district.pk, "date_from": "2026-11-21", "date_to": "2026-11-22"},
    ).json()
    assert data["pooled"] == {
        "expected": 4,
        "filed": 2,
        "on_time": 1,
        "missing": 2,
        "completeness_pct": 50.0,
        "on_time_pct": 25.0,
    }
    assert {c["centre"]["short_code"]: c["filed"] for c in data["children"]} == {"TS": 1, "LB": 1}
    today_only = client.get(f"{URL}/completeness", {"centre": world.district.pk}).json()
    assert {c["centre"]["short_code"]: c["status"] for c in today_only["children"]} == {
        "TS": "on_time",
        "LB": "missing",
    }
    bad = assert_problem(
        client.get(
            f"{URL}/completeness",
            {"centre": world.district.pk, "date_from": "2026-11-22", "date_to": "2026-11-01"},
        ),
        400,
    )
    assert "date_to" in bad["errors"]


def test_schema_documents_the_endpoints(world, api):
    schema = api(world.user("district", "standing")).get("/api/v1/schema", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {
        "/api/v1/reports",
        "/api/v1/reports/{id}",
        "/api/v1/reports/{id}/amend",
        "/api/v1/reports/completeness",
    } <= set(paths)
