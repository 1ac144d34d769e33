"""The crash classes schemathesis found (issue 12), each pinned by a plain test.

OPTIONS on every API address; a body without a field the service needs; addresses that
match no route, a newline in them too; 404 and 500 outside DRF; the schema's nulls.
"""

from __future__ import annotations

import inspect
import json
import re

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from chihuy.api.errors import PROBLEM_CONTENT_TYPE, api_page_not_found, api_server_error
from chihuy.api.tests.conftest import assert_problem
from chihuy.centres import services as centre_services
from chihuy.centres.api import AgencyWriteSerializer, CentreCreateSerializer, MemberCreateSerializer
from chihuy.centres.choices import AgencyKind, Role
from chihuy.centres.models import Agency
from chihuy.directives import services as directive_services
from chihuy.directives.serializers import AssignmentUpdateInputSerializer

pytestmark = pytest.mark.django_db


def _api_routes() -> list[tuple[str, list[str]]]:
    """(URL name, its keyword arguments) of every named route in the "api" namespace."""
    routes: list[tuple[str, list[str]]] = []

    def walk(patterns, converters):
        for p in patterns:
            names = [*converters, *getattr(p.pattern, "converters", {})]
            if isinstance(p, URLResolver):
                walk(p.url_patterns, names)
            elif isinstance(p, URLPattern) and p.name:
                routes.append((p.name, names))

    api = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "api")
    walk(api.url_patterns, [])
    return routes


ROUTES = _api_routes()


def test_every_schema_operation_has_a_route():
    # The OPTIONS test below walks the URL conf; make sure it walks the whole API.
    assert len(ROUTES) >= 30
    assert {"centre-agencies", "intakes", "webhook-sms", "schema", "docs"} <= {name for name, _ in ROUTES}


@pytest.mark.parametrize(("name", "kwargs"), ROUTES, ids=[name for name, _ in ROUTES])
def test_options_answers_on_every_route(world, api, name, kwargs):
    url = reverse(f"api:{name}", kwargs=dict.fromkeys(kwargs, world.commune.pk))
    response = api(world.user("commune", Role.COMMANDER)).options(url)
    assert response.status_code in (200, 405), (url, response.status_code, response.content[:300])
    if response["Content-Type"] == "application/json":
        # The schema and docs views answer in their own formats (OpenAPI, HTML).
        body = response.json()
        assert body["schema"] == reverse("api:schema")
        assert body["renders"] == ["application/json"]
        assert "OPTIONS" in response["Allow"]


def test_options_needs_a_caller(anon):
    assert_problem(anon.options(reverse("api:intakes")), 401)


def test_agency_without_kind_is_a_400_naming_it(world, api):
    url = reverse("api:centre-agencies", args=[world.commune.pk])
    client = api(world.user("commune", Role.COMMANDER))
    body = assert_problem(client.post(url, {"name": "Trạm Y tế"}, format="json"), 400)
    assert list(body["errors"]) == ["kind"]
    assert not Agency.objects.filter(centre=world.commune).exists()
    created = client.post(url, {"name": "Trạm Y tế", "kind": AgencyKind.HEALTH}, format="json")
    assert created.status_code == 201
    # A change names only what changes.
    patched = client.patch(reverse("api:agency", args=[created.json()["id"]]), {"order": 2}, format="json")
    assert patched.status_code == 200
    assert patched.json()["kind"] == AgencyKind.HEALTH


def test_agency_create_denied_to_a_duty_officer(world, api):
    url = reverse("api:centre-agencies", args=[world.commune.pk])
    response = api(world.user("commune", Role.DUTY_OFFICER)).post(url, {"name": "X"}, format="json")
    assert_problem(response, 403)


def _required_by(service, *, given: set[str]) -> set[str]:
    """The keyword arguments ``service`` cannot do without, less those the view supplies."""
    return {
        name
        for name, p in inspect.signature(service).parameters.items()
        if p.kind is p.KEYWORD_ONLY and p.default is p.empty and name not in given
    }


@pytest.mark.parametrize(
    ("serializer", "service", "given"),
    [
        (AgencyWriteSerializer, centre_services.agency_create, {"centre"}),
        (CentreCreateSerializer, centre_services.centre_create, set()),
        (MemberCreateSerializer, centre_services.member_create, {"centre", "user"}),
        (AssignmentUpdateInputSerializer, directive_services.assignment_update, {"actor", "assignment"}),
    ],
    ids=["agency", "centre", "member", "assignment-update"],
)
def test_serializers_require_what_their_service_requires(serializer, service, given):
    fields = serializer().fields
    required = {name for name, field in fields.items() if field.required}
    assert _required_by(service, given=given) <= required


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/x%0Ay",
        "/api/v1/centres/1%0A",
        "/api/v1/%0A",
        "/api/",
        "/api/v2/centres",
        "/api/v1/centres/abc",
    ],
)
def test_unknown_api_address_is_a_problem(anon, path):
    body = assert_problem(anon.get(path), 404)
    assert body["code"] == "not_found"
    assert body["instance"] == path


def test_unknown_site_address_stays_a_page(client):
    response = client.get("/khong-co%0Ax")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_handlers_outside_drf():
    factory = RequestFactory()
    response = api_page_not_found(factory.get("/api/v1/x%0Ay"), None)
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = json.loads(response.content)
    assert body["instance"] == "/api/v1/x%0Ay"
    assert body["title"] == "Không tìm thấy"
    response = api_server_error(factory.get("/api/v1/centres"))
    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert json.loads(response.content)["status"] == 500
    assert api_page_not_found(factory.get("/x"), None)["Content-Type"].startswith("text/html")
    assert api_server_error(factory.get("/x"))["Content-Type"].startswith("text/html")


def _component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]


def _nullable(prop: dict) -> bool:
    return bool(prop.get("nullable")) or any(p.get("nullable") for p in prop.get("oneOf", []))


def test_schema_marks_what_may_be_null(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    intake = _component(schema, "Intake")["properties"]
    assert _nullable(intake["jurisdiction"])
    roster_row = _component(schema, "Assignment")["properties"]
    assert _nullable(roster_row["agency_name"])


def test_intake_without_place_answers_null(world, api):
    from chihuy.intake.tests.factories import make_intake

    record = make_intake(centre=world.commune, jurisdiction=None, address="Không rõ")
    response = api(world.user("commune", Role.DUTY_OFFICER)).get(reverse("api:intake", args=[record.pk]))
    assert response.status_code == 200
    assert response.json()["jurisdiction"] is None


def test_no_route_pattern_stops_at_a_newline():
    # The catch-all uses [\s\S]; "." would let a newline through to Django's HTML page.
    catch_all = next(p for p in get_resolver().url_patterns if getattr(p, "name", None) == "api-not-found")
    assert re.fullmatch(catch_all.pattern.regex.pattern, "api/v1/x\ny")


def test_an_id_past_64_bits_is_a_404(world, api):
    # The webhook's lookup by foreign key overflowed SQLite's driver with such an id (a 500).
    client = api(world.user("province", Role.COMMANDER))
    for path in ["/api/v1/webhooks/sms/923787471521113440256", "/api/v1/centres/99999999999999999999"]:
        response = client.post(path, {"sender": "0912345678", "text": "x"}, format="json")
        assert_problem(response, 404)
    assert client.get(reverse("api:centre", args=[999_999_999_999_999_999])).status_code == 404
