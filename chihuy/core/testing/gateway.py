"""A stand-in for the SMS / Zalo OA gateways that alert and reminder webhooks are POSTed to.

A small HTTP server on 127.0.0.1 (a free port) that records every POST and answers with the
status a test sets, so the real ``WebhookAdapter`` is exercised over a real socket. The
``gateway`` fixture of the root ``conftest.py`` starts one per test.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class GatewayRequest:
    """One POST the gateway received."""

    path: str
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class _Server(ThreadingHTTPServer):
    gateway: FakeGateway


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        gateway = self.server.gateway
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        # Recorded before the answer goes out, so the sender's call has returned only once the
        # test can see its request.
        gateway.requests.append(GatewayRequest(path=self.path, headers=self.headers, body=body))
        gateway.received.set()
        # A test holding the answer back can kill the sender mid-send.
        gateway.release.wait(timeout=60)
        try:
            self.send_response(gateway.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(gateway.answer)))
            self.end_headers()
            self.wfile.write(gateway.answer)
        except OSError:
            pass  # the sender is gone

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output clean


class FakeGateway:
    """Records each POST in ``requests`` and answers ``status`` (200 unless a test changes it)
    with the body ``answer`` (``{}``: no message id).

    ``received`` is set at each POST; while ``release`` is cleared the answer waits for it.
    Use as a context manager; ``url`` is the base address (``f"{gateway.url}/sms"``).
    """

    def __init__(self) -> None:
        self.requests: list[GatewayRequest] = []
        self.status = 200
        self.answer = b"{}"
        self.received = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.gateway = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-gateway", daemon=True)

    def paths(self) -> list[str]:
        """The paths posted to, sorted (``["/sms", "/zalo"]``)."""
        return sorted(r.path for r in self.requests)

    def __enter__(self) -> FakeGateway:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
