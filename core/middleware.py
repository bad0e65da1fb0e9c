"""Response headers every page needs, whichever app answered it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


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
