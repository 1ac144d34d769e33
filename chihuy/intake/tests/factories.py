"""Intake test data; records go through the service so numbers and events are real."""

from __future__ import annotations

from typing import Any

from chihuy.centres.choices import Sector
from chihuy.intake.choices import Channel
from chihuy.intake.models import IntakeRecord
from chihuy.intake.services import intake_create

_counter = {"n": 0}


def make_intake(*, centre: Any, received_by: Any = None, **fields: Any) -> IntakeRecord:
    """An intake at ``centre`` with sensible defaults (a hotline call about Tích Sơn)."""
    _counter["n"] += 1
    defaults: dict[str, Any] = {
        "channel": Channel.HOTLINE,
        "reporter_name": "Nguyễn Văn An",
        "reporter_phone": f"0912{_counter['n']:06d}",
        "jurisdiction": centre.jurisdiction,
        "address": "",
        "category": Sector.ISOLATION,
        "content": f"Phản ánh số {_counter['n']}: người từ vùng dịch về chưa khai báo y tế",
    }
    if defaults["jurisdiction"] is None:
        defaults["address"] = "Không rõ"
    defaults.update(fields)
    return intake_create(centre=centre, received_by=received_by, **defaults)


def form_data(world: Any, **extra: Any) -> dict[str, Any]:
    """What a duty officer types into the new-call form (``intake:create``) for the commune."""
    from django.utils import timezone

    data = {
        "reporter_phone": "0987 654 321",
        "reporter_name": "Lê Văn Cường",
        "location": "Phường Tích Sơn, Thành phố Vĩnh Yên",
        "jurisdiction": str(world.commune.jurisdiction.pk),
        "content": "Khu trọ số 5 có 3 người sốt, ho",
        "category": Sector.TREATMENT,
        "channel": "hotline",
        "received_at": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
    }
    data.update(extra)
    return data
