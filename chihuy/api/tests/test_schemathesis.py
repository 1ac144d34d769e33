"""Schemathesis against the whole API, from the project's own OpenAPI schema (issue 12).

Every operation is called with generated input, valid and invalid, as a province
commander and as a commune duty officer (bearer tokens). No response may be a server
error; each must have a status, content type and body the schema declares; every 4xx
must be an ``application/problem+json`` problem.

The requests go to Django's WSGI application in this thread (schemathesis' WSGI mode)
rather than to a live server: the views see the test's own transaction, so ``world`` and
whatever the examples create are rolled back after each test, and no server thread races
the test database. Generation is derandomized and bounded, so a run is repeatable in CI.

The commander may do nearly every write, so that run adds schemathesis' coverage phase
(every boundary value, wrong type and missing field the schema implies, as that role
reaches the validators); the duty officer's run is random examples only, which keeps the
module within about two minutes of CPU on a small machine.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
from typing import Any

import pytest
import schemathesis
from django.apps import apps
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chihuy.api.base import ApiRateThrottle
from chihuy.api.errors import PROBLEM_CONTENT_TYPE
from chihuy.api.services import api_token_create
from chihuy.centres.choices import Role
from chihuy.core.testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db

# Random examples per operation (positive and negative); the coverage phase adds its own.
MAX_EXAMPLES = 6


@functools.cache
def _openapi() -> dict[str, Any]:
    """The schema exactly as /api/v1/schema serves it (same generator, same settings)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def _schema(*, phases: list[str]) -> Any:
    loaded = schemathesis.openapi.from_dict(copy.deepcopy(_openapi()))
    loaded.app = WSGIHandler()
    loaded.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)
    loaded.config.phases.update(phases=phases)
    # The coverage phase's valid boundary values cost as much again as its invalid input and
    # find less: the random examples already send valid bodies.
    loaded.config.phases.coverage.generation.update(modes=[GenerationMode.NEGATIVE])
    return loaded


def is_problem(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every client error is an RFC 9457 problem document."""
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])[0].split(";")[0].strip()
        assert content_type == PROBLEM_CONTENT_TYPE, (
            f"{response.status_code} answered as {content_type!r}, not {PROBLEM_CONTENT_TYPE}"
        )
        body = response.json()
        assert body["status"] == response.status_code and body["title"] and body["detail"], body
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    is_problem,
]

# Path parameter → the records it names, so a generated id lands on a real row as often as
# on a missing one: a random integer almost never names a row.
_PATH_MODELS = {
    "/api/v1/centres/": "centres.Centre",
    "/api/v1/webhooks/sms/": "centres.Centre",
    "/api/v1/agencies/": "centres.Agency",
    "/api/v1/members/": "centres.Member",
    "/api/v1/intakes/": "intake.IntakeRecord",
    "/api/v1/reports/": "reports.DailyReport",
    "/api/v1/briefings/": "briefings.Briefing",
    "/api/v1/tasks/": "directives.Task",
    "/api/v1/announcements/": "announcements.Message",
    "/api/v1/assignments/{id}/swap": "roster.Assignment",
    "/api/v1/assignments/{id}/updates": "directives.Assignment",
}
# Body and query fields that name a centre.
_CENTRE_FIELDS = ("centre", "parent")


def _pick(value: Any, ids: list[int]) -> Any:
    # Small non-negative integers become real ids (0 → the caller's own row); others stay,
    # so negative and huge ids still probe the 404 path.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1000 and ids:
        return ids[value % len(ids)]
    return value


def _aim(case: Any, home: Any) -> None:
    centres = [
        home.pk,
        *apps.get_model("centres.Centre").objects.exclude(pk=home.pk).values_list("pk", flat=True),
    ]
    path = case.operation.path
    model = next((m for prefix, m in _PATH_MODELS.items() if path.startswith(prefix)), None)
    if model is not None and case.path_parameters:
        ids = (
            centres
            if model == "centres.Centre"
            else sorted(apps.get_model(model).objects.values_list("pk", flat=True))
        )
        for name, value in case.path_parameters.items():
            case.path_parameters[name] = _pick(value, ids)
    for container in (case.query, case.body):
        if isinstance(container, dict):
            for name in _CENTRE_FIELDS:
                if name in container:
                    container[name] = _pick(container[name], centres)


@pytest.fixture
def wsgi_requests(monkeypatch):
    # As Django's test client does: a request must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Hundreds of requests a minute by one user: the throttle would answer most of them.
    monkeypatch.setattr(ApiRateThrottle, "allow_request", lambda self, request, view: True)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(world, request):
    """Rows for the detail operations to find: agencies, intakes with and without a place,
    and, for the roster's operations, a published fortnight at the commune."""
    from chihuy.intake.tests.factories import make_intake

    AgencyFactory(centre=world.commune)
    AgencyFactory(centre=world.province)
    make_intake(centre=world.commune, jurisdiction=None, address="Không rõ")
    make_intake(centre=world.commune)
    make_intake(centre=world.province)
    if any(word in request.node.name for word in ("roster", "on-duty", "swap")):
        from chihuy.roster import services
        from chihuy.roster.tests.factories import staff_centre

        staff_centre(world.commune, per_agency=2)
        today = timezone.localdate()
        roster = services.roster_generate(
            centre=world.commune, start=today, end=today + dt.timedelta(days=13)
        )
        services.roster_publish(roster=roster)
    return world


def _caller(world: Any, centre: str, role: str) -> tuple[dict[str, str], Any]:
    _, secret = api_token_create(user=world.user(centre, role), name="schemathesis")
    return {"Authorization": f"Bearer {secret}"}, world.centre(centre)


@pytest.fixture
def province_commander(seeded, wsgi_requests):
    return _caller(seeded, "province", Role.COMMANDER)


@pytest.fixture
def commune_duty_officer(seeded, wsgi_requests):
    return _caller(seeded, "commune", Role.DUTY_OFFICER)


_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)

commander_schema = _schema(phases=["examples", "coverage", "fuzzing"])
officer_schema = _schema(phases=["examples", "fuzzing"])


@commander_schema.parametrize()
@_SETTINGS
def test_api_as_province_commander(case, province_commander):
    headers, home = province_commander
    _aim(case, home)
    case.call_and_validate(headers=headers, checks=CHECKS)


@officer_schema.parametrize()
@_SETTINGS
def test_api_as_commune_duty_officer(case, commune_duty_officer):
    headers, home = commune_duty_officer
    _aim(case, home)
    case.call_and_validate(headers=headers, checks=CHECKS)
