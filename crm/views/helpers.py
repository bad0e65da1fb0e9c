"""HTTP plumbing shared by the CRM views: partial rendering, role gates, htmx redirects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
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


def query_problems(form: forms.Form) -> list[str]:
    """Each parameter of an invalid query form as "label: what is wrong with it"."""
    problems = []
    for name, errors in form.errors.items():
        label = form[name].label if name in form.fields else ""
        problems += [f"{label}: {error}" if label else str(error) for error in errors]
    return problems


def bad_query(request: HttpRequest, form: forms.Form) -> HttpResponse:
    """A 400 page naming the query parameters the page cannot read, with a link without them.

    Pages whose query string selects what they show answer this instead of guessing: an
    unreadable filter is not silently dropped, so nobody takes an unfiltered list for a
    filtered one.
    """
    return render(
        request,
        "crm/bad_query.html",
        {"problems": query_problems(form), "plain_url": request.path},
        status=400,
    )


def bad_query_json(form: forms.Form) -> JsonResponse:
    """The JSON twin of :func:`bad_query`, for endpoints that scripts read."""
    message = _("The address has parameters Rapport cannot read.")
    return JsonResponse(
        {"results": [], "error": message, "problems": query_problems(form)}, status=400
    )


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

    # Pages link to such a view only as a write control ({% write_href %}); the generated
    # read-only test finds those links by this mark.
    wrapped.requires_write = True  # type: ignore[attr-defined]
    return wrapped


def user_of(request: HttpRequest) -> Any:
    return request.user
