"""Per-request work for signed-in people: "last seen" of their browser. (Their language
and time zone are applied by ``core.middleware.WorkspaceLocaleMiddleware``.)

Runs after ``AuthenticationMiddleware`` (they need ``request.user``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tenants.users.browsers import browser_from_request
from tenants.users.models import User
from tenants.users.services import user_session_seen


def _signed_in_user(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


class SessionActivityMiddleware:
    """Keeps "last seen" of the signed-in browser current, writing at most every few minutes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = _signed_in_user(request)
        session_key = getattr(getattr(request, "session", None), "session_key", None)
        if user is not None and session_key:
            user_session_seen(
                user=user, session_key=session_key, browser=browser_from_request(request)
            )
        return self.get_response(request)
