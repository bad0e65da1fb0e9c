"""Counting searches for a person's first steps, without touching the search itself.

The count is written by a task, so a search request stays read-only: no database write and
no extra query on the search page, only a cache check and, once a minute, a queued message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from core.tasks import enqueue_on_commit

#: A search counts at most once per person and minute: the palette asks on every keystroke.
SEARCH_COUNT_SECONDS = 60


class SearchUseMiddleware:
    """Records that a signed-in person searched (the checklist's "find a record with
    search"). A search leaves no record of its own, and the CRM's search view belongs to a
    lower layer, so the guided start notices it on the way in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        match = request.resolver_match
        if match is None or match.url_name != "search" or request.method != "GET":
            return None
        tenant = getattr(request, "tenant", None)
        user = getattr(request, "user", None)
        if tenant is None or tenant.is_public or user is None or not user.is_authenticated:
            return None
        if not request.GET.get("q", "").strip():
            return None
        if cache.add(f"onboarding:searched:{user.pk}", 1, SEARCH_COUNT_SECONDS):
            from onboarding.tasks import search_record_task

            enqueue_on_commit(search_record_task, user.pk)
        return None
