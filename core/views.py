"""Views every host answers the same way."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db import connection
from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET


def _static_redirect(name: str) -> HttpResponsePermanentRedirect:
    """The file's (hashed, in production) static address, resolved at request time."""
    return HttpResponsePermanentRedirect(static(name))


@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    return _static_redirect("favicon.ico")


@require_GET
def apple_touch_icon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    return _static_redirect("apple-touch-icon.png")


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_redis() -> str:
    """Ping the cache's Redis directly (the cache itself hides an outage by design)."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    client = getattr(backend, "_cache", None)
    if client is None:
        return "ok"  # not a Redis cache (a test or a local override): nothing to ping
    client.get_client(write=True).ping()
    return "ok"


def _check_worker() -> str:
    from core.jobs.models import Heartbeat

    beat = Heartbeat.objects.filter(name="worker").first()
    if beat is None:
        raise RuntimeError("no heartbeat yet")
    age = (timezone.now() - beat.beat_at).total_seconds()
    if age > settings.READINESS_HEARTBEAT_MAX_AGE_SECONDS:
        raise RuntimeError(f"last heartbeat {age:.0f} s ago")
    return f"ok ({age:.0f} s ago)"


@require_GET
def readiness(request: HttpRequest) -> JsonResponse:
    """Readiness for a load balancer or a compose healthcheck: PostgreSQL answers, Redis
    answers, and a worker ran the sweeper recently (beat and a worker are alive). 503 with
    the failing checks otherwise; no sign-in needed, nothing secret in the answer."""
    checks: dict[str, str] = {}
    healthy = True
    for name, check in (
        ("database", _check_database),
        ("redis", _check_redis),
        ("worker", _check_worker),
    ):
        try:
            checks[name] = check()
        except Exception as error:
            healthy = False
            checks[name] = f"failing: {type(error).__name__}"
            if name == "worker":
                checks[name] = f"failing: {error}"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
