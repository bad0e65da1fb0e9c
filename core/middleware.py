"""Response headers every page needs, whichever app answered it."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control

from core.errors import DomainError


class PrivatePagesMiddleware:
    """Pages shown to a signed-in person are never stored by a browser or proxy cache.

    A CRM page holds customers' personal data; ``private, no-store`` keeps it out of shared
    caches and off the disk of a shared computer once the person signs out. Responses that
    set their own ``Cache-Control`` (static files, downloads that chose) are left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class DomainErrorMiddleware:
    """A domain error no view caught becomes a page with its message, never a 500.

    Views handle the errors they expect (and keep the user's input); this is the net under
    them, so a rule added to a service later cannot turn into a server error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        context = {"message": str(exception)}
        if request.headers.get("HX-Request"):
            # htmx swaps nothing on a 4xx: answer 200 and put the message where messages go.
            response = render(request, "_domain_error_alert.html", context)
            response["X-Rapport-Error"] = str(exception.status_code)
            response["HX-Retarget"] = "#messages"
            response["HX-Reswap"] = "innerHTML"
            return response
        return render(request, "domain_error.html", context, status=exception.status_code)


def _supported_language(code: str) -> str:
    try:
        return translation.get_supported_language_variant(code) if code else ""
    except LookupError:
        return ""


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


class WorkspaceLocaleMiddleware:
    """The language and time zone of a workspace page: the person's own, else the workspace's.

    Runs after authentication. On a workspace host the signed-in user's preference wins, then
    an explicit choice made with the language switcher (its cookie), then the workspace's
    default; Django's ``LocaleMiddleware`` (before it) has already handled the public site
    (cookie, then ``Accept-Language``: zh-CN and zh-SG mean Simplified, zh-TW, zh-HK and zh-MO
    Traditional). Dates are shown in the user's time zone, else the workspace's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        workspace_language = getattr(tenant, "language", "")
        if workspace_language and not getattr(tenant, "is_public", True):
            user = getattr(request, "user", None)
            signed_in = user is not None and user.is_authenticated
            chosen = (
                (getattr(user, "language", "") if signed_in else "")
                or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
                or workspace_language
            )
            language = _supported_language(chosen) or settings.LANGUAGE_CODE
            translation.activate(language)
            request.LANGUAGE_CODE = language
            zone = _zone(getattr(user, "time_zone", "") if signed_in else "") or _zone(
                getattr(tenant, "time_zone", "")
            )
            if zone is not None:
                timezone.activate(zone)
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
