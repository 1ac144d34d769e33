"""iCal feeds of published duties, per person and per centre, behind a secret token (issue 4 item 8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from chihuy.roster.selectors import assignments_between

PAST = dt.timedelta(days=31)
FUTURE = dt.timedelta(days=93)


def person_feed_path(token: str) -> str:
    return reverse("roster:ical", args=[token])


centre_feed_path = person_feed_path


def _calendar(name: str, rows: Any) -> bytes:
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//ChiHuy//Lich truc//VI")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    stamp = timezone.now()
    for a in rows:
        ev = Event()
        ev.add("uid", f"assignment-{a.pk}@chihuy")
        agency = f" – {a.agency}" if a.agency_id else ""
        ev.add("summary", f"{a.get_role_display()}{agency}: {a.member.user}")
        ev.add("dtstart", a.start)
        ev.add("dtend", a.end)
        ev.add("dtstamp", stamp)
        ev.add("location", a.centre.name)
        cal.add_component(ev)
    return cal.to_ical()


def person_ical(*, user: Any) -> bytes:
    now = timezone.now()
    rows = assignments_between(user=user, start=now - PAST, end=now + FUTURE, published_only=True)
    return _calendar(f"Lịch trực – {user}", rows)


def centre_ical(*, centre: Any) -> bytes:
    now = timezone.now()
    rows = assignments_between(centre=centre, start=now - PAST, end=now + FUTURE, published_only=True)
    return _calendar(f"Lịch trực – {centre.name}", rows)
