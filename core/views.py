"""Views every host answers the same way."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
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
