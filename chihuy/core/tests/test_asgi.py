"""The ASGI entry point: sync views on the WSGI handler's threads, async views on Django's ASGI handler."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from chihuy import asgi

pytestmark = pytest.mark.django_db


@csrf_exempt
def _where(request: Any) -> JsonResponse:
    return JsonResponse({"thread": threading.current_thread().name, "body": request.body.decode()})


@csrf_exempt
async def _where_async(request: Any) -> JsonResponse:
    return JsonResponse({"thread": threading.current_thread().name, "body": request.body.decode()})


urlpatterns = [path("sync", _where), path("async", _where_async)]


def _call(path: str, *, method: str = "GET", body: bytes = b"", headers: list | None = None) -> dict:
    """One request through ``chihuy.asgi.application``, as uvicorn would make it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-length", str(len(body)).encode()), *(headers or [])],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }

    async def run() -> dict[str, Any]:
        chunks = [body[i : i + 7] for i in range(0, len(body), 7)] or [b""]  # a body in pieces
        last = len(chunks) - 1
        messages = [{"type": "http.request", "body": c, "more_body": i < last} for i, c in enumerate(chunks)]
        out: dict[str, Any] = {"body": b""}

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop(0)
            await asyncio.sleep(3600)  # the client stays connected
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                out["status"] = message["status"]
                out["headers"] = {k.decode().lower(): v.decode() for k, v in message["headers"]}
            elif message["type"] == "http.response.body":
                out["body"] += message.get("body", b"")

        await asgi.application(scope, receive, send)
        return out

    return asyncio.run(run())


@pytest.fixture
def routes(settings):
    settings.ROOT_URLCONF = __name__
    asgi.is_async_path.cache_clear()
    yield
    asgi.is_async_path.cache_clear()


def test_a_sync_view_runs_on_a_wsgi_worker_thread_with_its_whole_body(routes):
    payload = json.dumps({"nội dung": "Người dân báo ca nghi nhiễm"}, ensure_ascii=False).encode()
    response = _call("/sync", method="POST", body=payload, headers=[(b"content-type", b"application/json")])
    assert response["status"] == 200
    data = json.loads(response["body"])
    assert data["thread"].startswith("WSGI")
    assert data["body"] == payload.decode()


def test_an_async_view_runs_on_the_event_loop(routes):
    response = _call("/async", method="POST", body=b"ping")
    assert response["status"] == 200
    data = json.loads(response["body"])
    assert data["thread"] == threading.current_thread().name  # asyncio.run's loop is this thread
    assert data["body"] == "ping"


def test_unknown_paths_are_served_by_the_sync_handler(routes):
    assert not asgi.is_async_path("/no/such/page")
    assert _call("/no/such/page")["status"] == 404


def test_the_project_routes_its_own_views():
    asgi.is_async_path.cache_clear()
    assert asgi.is_async_path("/alerts/stream")
    assert not asgi.is_async_path("/healthz")
    assert not asgi.is_async_path("/api/v1/intakes")

    health = _call("/healthz", headers=[(b"x-forwarded-proto", b"https")])
    assert health["status"] == 200
    assert json.loads(health["body"]) == {"status": "ok"}
    # The stream is an async view: anonymous, it sends the browser to the login page.
    stream = _call("/alerts/stream")
    assert stream["status"] == 302
    assert "/accounts/login/" in stream["headers"]["location"]
