"""Demo data for briefings: the daily 17:00 briefing of the demo province and tomorrow's meeting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from chihuy.briefings.choices import BriefingKind
from chihuy.briefings.models import Briefing
from chihuy.briefings.services import briefing_settings_update, briefings_ensure_upcoming


def seed_demo_briefings(province_centre: Any) -> Briefing:
    """The recurring 17:00 schedule (a week ahead) and tomorrow's briefing; safe to run twice."""
    briefing_settings_update(
        centre=province_centre,
        actor=None,
        regular_enabled=True,
        regular_time=dt.time(17, 0),
        days_ahead=7,
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    briefings_ensure_upcoming(centre=province_centre, today=tomorrow, days=1)
    return Briefing.objects.get(centre=province_centre, kind=BriefingKind.REGULAR, occurrence_date=tomorrow)
