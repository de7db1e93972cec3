from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.liveness import liveness


def _check(probe) -> str:
    try:
        probe()
    except Exception as error:  # a health check reports, it does not raise
        return f"error: {type(error).__name__}"
    return "ok"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    cache.set("healthz", "ok", timeout=5)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """State of database and Redis as JSON: 200 when both answer, 503 otherwise."""
    state = {"database": _check(_database), "redis": _check(_redis)}
    healthy = all(value == "ok" for value in state.values())
    state["status"] = "ok" if healthy else "error"
    return JsonResponse(state, status=200 if healthy else 503)


@login_not_required
@never_cache
@require_GET
def healthz_tasks(request):
    """Worker and beat liveness and each daily task's last run: 200 or 503."""
    try:
        report = liveness(now=timezone.now())
    except Exception as error:  # a health check reports, it does not raise
        state = {"database": f"error: {type(error).__name__}", "status": "error"}
        return JsonResponse(state, status=503)
    return JsonResponse(report.state, status=200 if report.healthy else 503)
