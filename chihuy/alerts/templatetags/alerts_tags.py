from __future__ import annotations

from typing import Any

from django import template

from chihuy.alerts.selectors import alerts_for_record

register = template.Library()


@register.inclusion_tag("alerts/_record_alerts_body.html", takes_context=True)
def record_alerts(context: template.Context, record: Any) -> dict[str, Any]:
    """The alert of an intake record, its chain and every delivery attempt, for its detail page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    alerts = list(alerts_for_record(user=user, record=record)) if user is not None else []
    return {
        "record": record,
        "alerts": alerts,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
