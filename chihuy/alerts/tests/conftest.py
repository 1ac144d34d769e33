from __future__ import annotations

import itertools
from typing import Any

import pytest

from chihuy.centres.choices import Sector

_seq = itertools.count(1)


@pytest.fixture
def make_record():
    """An intake record written straight to the table, so these tests don't lean on the intake form."""
    from chihuy.intake.models import IntakeRecord

    def _make(centre: Any, *, urgent: bool = True, category: str = Sector.ISOLATION, **extra: Any) -> Any:
        n = next(_seq)
        fields: dict[str, Any] = {
            "centre": centre,
            "number": f"{centre.short_code}-20261122-{n:04d}",
            "tracking_code": f"T{n:08d}",
            "content": "Phát hiện ca nghi nhiễm tại tổ dân phố 3",
            "address": "Tổ dân phố 3",
            "anonymous": True,
            "urgent": urgent,
            "urgency_reason": "Ca nghi nhiễm chưa cách ly" if urgent else "",
            "category": category,
        }
        fields.update(extra)
        return IntakeRecord.objects.create(**fields)

    return _make


@pytest.fixture
def fake_channel():
    """A recording adapter for the SMS channel; tell it to fail with ``.fail = n``.

    ``keys`` are the idempotency keys of the messages it was given; it answers ``receipt``."""
    from chihuy.alerts.adapters import DeliveryError, register_adapter
    from chihuy.alerts.choices import Channel

    class Fake:
        def __init__(self) -> None:
            self.sent: list[tuple[str, str]] = []
            self.keys: list[str] = []
            self.fail = 0
            self.receipt: str | None = None

        def send(self, *, user: Any, message: Any, policy: Any) -> str | None:
            self.keys.append(message.key)
            if self.fail:
                self.fail -= 1
                raise DeliveryError("cổng SMS không trả lời")
            self.sent.append((user.username, message.record_number))
            return self.receipt

    fake = Fake()
    previous = register_adapter(Channel.SMS, fake)
    yield fake
    if previous is not None:
        register_adapter(Channel.SMS, previous)
