"""Writes for the public portal: a citizen's report goes into the centre's logbook through
the same ``intake_create`` as a call taken by the duty officer (R3, issue 3 §9)."""

from __future__ import annotations

import secrets
from typing import Any

from chihuy.centres.models import Centre
from chihuy.intake.choices import Channel, Source
from chihuy.intake.models import IntakeRecord
from chihuy.intake.services import TRACKING_CODE_LENGTH, intake_create

_DECOY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def public_report_submit(
    *,
    centre: Centre,
    reporter_name: str,
    reporter_phone: str,
    content: str,
    category: str,
    jurisdiction: Any = None,
    address: str = "",
) -> IntakeRecord:
    """Log a citizen's report at ``centre``: web channel, public source, nobody as receiver yet.

    Never urgent on its own say-so: the duty officer triages it like any other entry.
    """
    return intake_create(
        centre=centre,
        received_by=None,
        channel=Channel.WEB,
        source=Source.PUBLIC,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        content=content,
        category=category,
        jurisdiction=jurisdiction,
        address=address,
    )


def decoy_tracking_code() -> str:
    """What a bot caught by the honeypot is shown, so it cannot tell it was caught."""
    return "".join(secrets.choice(_DECOY_ALPHABET) for _i in range(TRACKING_CODE_LENGTH))
