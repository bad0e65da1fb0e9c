"""HTTP plumbing shared by the CRM views: partial rendering, role gates, htmx redirects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect

View = Callable[..., HttpResponse]


def is_partial_request(request: HttpRequest) -> bool:
    """An htmx request for a region of the page (boosted navigation wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted  # type: ignore[union-attr]


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The whole page, or only ``partial`` of it when htmx asks for a region."""
    name = f"{template}#{partial}" if partial and is_partial_request(request) else template
    return render(request, name, context, status=status)


def redirect_after_post(request: HttpRequest, url: str) -> HttpResponse:
    """After an htmx POST the client navigates itself; a plain form gets a 302."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def write_required(view: View) -> View:
    """Signed in, and a role that may change records (read-only users get a 403)."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request.user, "can_write", False):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def user_of(request: HttpRequest) -> Any:
    return request.user
