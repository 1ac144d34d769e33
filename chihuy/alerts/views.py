"""Alert views: the inbox, acknowledgement, and the live stream (SSE) that every open tab listens to."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chihuy.alerts.bus import ACK_CHECK_SECONDS, Subscriber, bus, fan_out, read_batch
from chihuy.alerts.conf import stream_heartbeat_seconds, stream_poll_seconds
from chihuy.alerts.forms import AlertPolicyForm
from chihuy.alerts.models import Alert
from chihuy.alerts.selectors import alerts_for_record, alerts_inbox
from chihuy.alerts.services import alert_acknowledge, alert_policy_for, alert_policy_update
from chihuy.centres.access import Action, access_centre
from chihuy.core.forms import add_service_errors

# A stream is renewed now and then (the browser reconnects with Last-Event-ID), so a
# long-lived connection never pins a worker thread or a stale session forever.
STREAM_LIFETIME_SECONDS = 30 * 60
WSGI_STREAM_LIFETIME_SECONDS = 5 * 60


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    alerts = list(alerts_inbox(user=request.user)[:200])
    return render(request, "alerts/inbox.html", {"alerts": alerts})


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert.objects.visible_to(request.user).select_related("record"), pk=pk)
    try:
        alert = alert_acknowledge(alert=alert, user=request.user)
    except ValidationError as exc:
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"ok": False, "error": " ".join(exc.messages)}, status=409)
        messages.error(request, " ".join(exc.messages))
        return redirect("alerts:inbox")
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"ok": True, "alert": alert.pk, "status": alert.status})
    if getattr(request, "htmx", False):
        return HttpResponse(_render_record_alerts(request, alert.record))
    messages.success(request, _("Đã xác nhận báo khẩn %(number)s.") % {"number": alert.record.number})
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("alerts:inbox")


def _render_record_alerts(request: HttpRequest, record: Any) -> str:
    return render_to_string(
        "alerts/_record_alerts_body.html",
        {"record": record, "alerts": list(alerts_for_record(user=request.user, record=record))},
        request=request,
    )


# --- the live stream -------------------------------------------------------------------------


def _last_event_id(request: HttpRequest) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last") or ""
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 0 else None


def _release_connection() -> None:
    """Give the request's database connection back before the long wait (not inside a test's transaction)."""
    if not connection.in_atomic_block:
        connection.close()


async def _async_events(user_id: int, last_id: int | None) -> AsyncIterator[bytes]:
    """The tab's events, fed by the process's one poller (``bus``); holds no database connection."""
    # Runs after the middleware (session save…), on the request's own thread: its connection
    # would otherwise stay checked out of the pool for the stream's whole life.
    await sync_to_async(_release_connection)()
    loop = asyncio.get_running_loop()
    started = loop.time()
    sub = bus.subscribe(user_id, last_id)
    yield b"retry: 2000\n: connected\n\n"
    try:
        while loop.time() - started < STREAM_LIFETIME_SECONDS:
            try:
                chunk = await asyncio.wait_for(sub.queue.get(), stream_heartbeat_seconds())
            except TimeoutError:
                yield b": ping\n\n"
                continue
            yield chunk
    finally:  # also when the client went away and Django cancelled us
        bus.unsubscribe(sub)


_sync_streams = 0
_sync_streams_lock = threading.Lock()


def open_sync_streams() -> int:
    """How many streams a WSGI server is serving now (the test live server's threads).

    Such a thread learns that its tab is gone only when a write fails, at the next event or
    heartbeat; until then it keeps reading the database.
    """
    return _sync_streams


def _sync_events(user_id: int, last_id: int | None) -> Iterator[bytes]:
    """The same stream for a WSGI server (the test live server): a thread per open tab, same reads."""
    global _sync_streams
    with _sync_streams_lock:
        _sync_streams += 1
    try:
        sub = Subscriber(user_id, last_id)
        started = last_write = acks_checked = time.monotonic()
        yield b"retry: 2000\n: connected\n\n"
        while time.monotonic() - started < WSGI_STREAM_LIFETIME_SECONDS:
            acks: set[int] = set()
            if time.monotonic() - acks_checked >= ACK_CHECK_SECONDS:
                acks, acks_checked = sub.shown, time.monotonic()
            after = {} if sub.last_id is None else {user_id: sub.last_id}
            batch, acknowledged = read_batch(after, set() if after else {user_id}, acks, release=False)
            fan_out([sub], batch, set(acknowledged))
            now = time.monotonic()
            if not sub.queue.empty():
                while not sub.queue.empty():
                    yield sub.queue.get_nowait()
                last_write = now
            elif now - last_write >= stream_heartbeat_seconds():
                yield b": ping\n\n"
                last_write = now
            time.sleep(stream_poll_seconds())
    finally:  # also when the server closes us after a failed write
        with _sync_streams_lock:
            _sync_streams -= 1


async def stream(request: HttpRequest) -> HttpResponseBase:
    """``text/event-stream`` of the user's in-app alert deliveries, resumable with Last-Event-ID."""
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    user = await request.auser()
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    last_id = _last_event_id(request)
    content: AsyncIterator[bytes] | Iterator[bytes]
    if isinstance(request, ASGIRequest):
        content = _async_events(user.pk, last_id)
    else:
        content = _sync_events(user.pk, last_id)
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx must not buffer the stream
    return response


@login_required
def policy_edit(request: HttpRequest, centre_id: int) -> HttpResponse:
    """The centre's leaders and standing unit set the escalation timing and channels (R3)."""
    centre = access_centre(request.user, centre_id, Action.EDIT)
    policy = alert_policy_for(centre=centre)
    form = AlertPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            alert_policy_update(centre=centre, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu cấu hình báo khẩn."))
            return redirect("alerts:policy", centre_id=centre.pk)
    return render(
        request,
        "alerts/policy_form.html",
        {"centre": centre, "form": form, "has_secret": bool(policy.webhook_secret)},
    )
