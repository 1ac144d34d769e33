"""Template helpers for the account pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration_vi(value: dt.timedelta | None) -> str:
    """A lockout length in words: "15 phút", "1 giờ 30 phút"; rounded up to the minute."""
    if not isinstance(value, dt.timedelta):
        return ""
    minutes = max(1, -(-int(value.total_seconds()) // 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(_("%(n)d giờ") % {"n": hours})
    if minutes:
        parts.append(_("%(n)d phút") % {"n": minutes})
    return " ".join(parts)


@register.filter
def backup_code(value: str) -> str:
    """A backup code in two groups of four, easier to read aloud and copy by hand."""
    value = str(value)
    return f"{value[:4]} {value[4:]}" if len(value) == 8 else value
