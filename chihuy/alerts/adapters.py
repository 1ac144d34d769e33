"""How an alert reaches a person outside the app: a small registry of channel adapters (R3, R4).

E-mail goes through Django's mailers; SMS gateways and Zalo OA are reached through an HTTP
webhook that the centre configures, so a province can plug in whatever provider it contracts.
An adapter raises ``DeliveryError`` on failure; ``permanent`` failures (no address) are not retried.

Sending twice is what a crash risks: a worker killed after the gateway accepted a message but
before the outcome was stored makes the message look unsent. So every message carries an
idempotency key that stays the same across retries of one message (``AlertMessage.key``: a
webhook gets it as the ``Idempotency-Key`` header and the ``id`` field, an e-mail as its
``Message-ID``), and ``send`` returns the gateway's receipt (its message id), which the caller
stores at once. A gateway that de-duplicates by key sends a retried message once; one that
does not may send it twice, only in that window between its answer and our write.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME

from chihuy.alerts.choices import Channel
from chihuy.alerts.conf import WEBHOOK_TIMEOUT_SECONDS


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class AlertMessage:
    alert_id: int
    record_number: str
    category: str
    subject: str
    text: str
    url: str
    # Same for every attempt at one message (alert step × person × channel, or notice × channel).
    key: str = ""


class Adapter(Protocol):
    def send(self, *, user: Any, message: AlertMessage, policy: Any) -> str | None:
        """Send or raise ``DeliveryError``; returns the gateway's receipt (message id) if any."""
        ...


class EmailAdapter:
    def send(self, *, user: Any, message: AlertMessage, policy: Any) -> str | None:
        if not user.email:
            raise DeliveryError("Người nhận chưa có địa chỉ e-mail.", permanent=True)
        headers = {}
        if message.key:
            # The same Message-ID on a resent copy lets mail clients show it once.
            headers["Message-ID"] = f"<{message.key}@{DNS_NAME}>"
        try:
            EmailMessage(subject=message.subject, body=message.text, to=[user.email], headers=headers).send()
        except Exception as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        return headers.get("Message-ID")


class WebhookAdapter:
    """POSTs JSON to the centre's gateway; the body is signed with HMAC-SHA256 when a secret is set."""

    def __init__(self, channel: str, url_field: str) -> None:
        self.channel = channel
        self.url_field = url_field

    def send(self, *, user: Any, message: AlertMessage, policy: Any) -> str | None:
        url = getattr(policy, self.url_field, "") if policy is not None else ""
        if not url:
            raise DeliveryError("Chưa cấu hình địa chỉ webhook.", permanent=True)
        if not user.phone:
            raise DeliveryError("Người nhận chưa có số điện thoại.", permanent=True)
        body = json.dumps(
            {
                "id": message.key,
                "channel": self.channel,
                "to": user.phone,
                "text": message.text,
                "alert": message.alert_id,
                "record": message.record_number,
                "url": message.url,
            },
            ensure_ascii=False,
        ).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "ChiHuy-alerts/1"}
        if message.key:
            headers["Idempotency-Key"] = message.key
        if policy.webhook_secret:
            digest = hmac.new(policy.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-ChiHuy-Signature"] = f"sha256={digest}"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
                status = response.status
                answer = response.read(4096)
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"HTTP {exc.code}: {exc.reason}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from exc
        if not 200 <= status < 300:
            raise DeliveryError(f"HTTP {status}")
        return gateway_receipt(answer) or message.key or None


def gateway_receipt(answer: bytes) -> str:
    """The message id in a gateway's JSON answer (``id``, ``message_id`` or ``messageId``), or "".

    A gateway that accepts without naming the message leaves our own key as the receipt."""
    try:
        data = json.loads(answer or b"null")
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    for name in ("message_id", "messageId", "id"):
        value = data.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)[:200]
    return ""


ADAPTERS: dict[str, Adapter] = {
    Channel.EMAIL.value: EmailAdapter(),
    Channel.SMS.value: WebhookAdapter(Channel.SMS.value, "sms_webhook_url"),
    Channel.ZALO.value: WebhookAdapter(Channel.ZALO.value, "zalo_webhook_url"),
}


def register_adapter(channel: str, adapter: Adapter) -> Adapter | None:
    """Install ``adapter`` for ``channel``; returns the one it replaces (tests put it back)."""
    previous = ADAPTERS.get(channel)
    ADAPTERS[channel] = adapter
    return previous


def get_adapter(channel: str) -> Adapter:
    try:
        return ADAPTERS[channel]
    except KeyError as exc:
        raise DeliveryError(f"Không có bộ gửi cho kênh {channel}.", permanent=True) from exc
