from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chihuy.core.cache import cache_health_problem


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 503 when the database does not answer, else 200.

    200 with ``"status": "degraded"`` and the cause under ``"cache"`` when Redis is down: the
    node still serves everything (the cache falls back to the database), and every node
    shares the same Redis, so a balancer taking degraded nodes out would take them all out.
    Monitoring alerts on "degraded"; the balancer keeps the node.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "detail": type(exc).__name__}, status=503)
    cache_problem = cache_health_problem()
    if cache_problem:
        return JsonResponse({"status": "degraded", "cache": cache_problem})
    return JsonResponse({"status": "ok"})
