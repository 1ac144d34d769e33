"""The public portal: the centres and their hotlines, a report form and a status look-up (R17, issue 3 §9).

No login. Every form posts with a CSRF token; the pages use no inline script, so the
Content-Security-Policy holds. Writes are rate-limited per IP address and answered 429
with a Vietnamese page when over the limit.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from chihuy.intake.choices import IntakeStatus
from chihuy.portal import ratelimit, selectors, services
from chihuy.portal.forms import PublicReportForm, StatusLookupForm

CENTRES_PER_PAGE = 50


def _too_many(request: HttpRequest, limit: ratelimit.Limit) -> HttpResponse:
    response = render(
        request, "portal/rate_limited.html", {"minutes": max(1, limit.window // 60)}, status=429
    )
    response["Retry-After"] = str(limit.window)
    return response


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Active centres and their hotlines, searchable by name without accents (R17)."""
    query = request.GET.get("q", "").strip()[:100]
    centres = selectors.public_centres(query=query)
    page = Paginator(centres, CENTRES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/index.html", {"page": page, "query": query})


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, centre_id: int) -> HttpResponse:
    """A citizen's report to one centre; it lands in the logbook and a tracking code is shown."""
    centre = selectors.public_centre_get(pk=centre_id)
    if request.method != "POST":
        return render(
            request, "portal/report_form.html", {"centre": centre, "form": PublicReportForm(centre=centre)}
        )
    if ratelimit.over_limit(request, ratelimit.REPORT):
        return _too_many(request, ratelimit.REPORT)
    form = PublicReportForm(request.POST, centre=centre)
    if form.is_bot:
        # Same page as a real report, with a code that leads nowhere; nothing is stored.
        return render(
            request, "portal/report_thanks.html", {"centre": centre, "code": services.decoy_tracking_code()}
        )
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = services.public_report_submit(
                centre=centre,
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                content=data["content"],
                category=data["category"],
                jurisdiction=data["jurisdiction"],
                address=data["address"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return render(
                request, "portal/report_thanks.html", {"centre": centre, "code": record.tracking_code}
            )
    picked = form.cleaned_data.get("jurisdiction") if hasattr(form, "cleaned_data") else None
    return render(
        request,
        "portal/report_form.html",
        {"centre": centre, "form": form, "picked_place": picked},
        status=400,
    )


@require_GET
def places(request: HttpRequest, centre_id: int) -> HttpResponse:
    """Location picker for the report form: units inside the centre's area only.

    Radio options for HTMX (``portal/_places.html``), or ``?format=json`` for scripts.
    """
    if ratelimit.over_limit(request, ratelimit.PLACES):
        if request.GET.get("format") == "json":
            return JsonResponse({"detail": "Quá nhiều yêu cầu, vui lòng thử lại sau."}, status=429)
        return _too_many(request, ratelimit.PLACES)
    centre = selectors.public_centre_get(pk=centre_id)
    query = (request.GET.get("q") or request.GET.get("place_q") or "").strip()[:100]
    units = selectors.public_places(centre=centre, query=query) if query else []
    if request.GET.get("format") == "json":
        return JsonResponse(
            {"results": [{"id": u.pk, "code": u.code, "label": u.label_with_parent} for u in units]}
        )
    return render(request, "portal/_places.html", {"units": units, "query": query})


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """Look a report up by tracking code and phone; both must match (issue 3 §9).

    A POST, so neither lands in a URL or a log; a miss is one generic message.
    """
    if request.method != "POST":
        return render(request, "portal/status.html", {"form": StatusLookupForm()})
    if ratelimit.over_limit(request, ratelimit.STATUS):
        return _too_many(request, ratelimit.STATUS)
    form = StatusLookupForm(request.POST)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        record = selectors.public_record_lookup(
            code=form.cleaned_data["code"], phone=form.cleaned_data["phone"]
        )
        if record is None:
            context["not_found"] = True
        else:
            current = selectors.public_current_handling(record=record)
            context.update(
                {
                    "record": record,
                    "current": current,
                    "moved": current.pk != record.pk,
                    "done": current.status in (IntakeStatus.RESOLVED, IntakeStatus.CLOSED),
                }
            )
    return render(request, "portal/status.html", context)
