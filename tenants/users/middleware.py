"""Per-request work for signed-in people: their language and time zone, and "last seen".

Both run after ``AuthenticationMiddleware`` (they need ``request.user``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from tenants.users.browsers import browser_from_request
from tenants.users.models import User
from tenants.users.selectors import user_language, user_time_zone
from tenants.users.services import user_session_seen


def _signed_in_user(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


class UserPreferencesMiddleware:
    """Pages for a signed-in person use their language and time zone.

    Without a choice of their own the language stays what ``LocaleMiddleware`` negotiated
    (the workspace's default) and the time zone is the workspace's. The time zone is reset
    after every request, so a thread never carries one person's zone into the next request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = _signed_in_user(request)
        if user is not None:
            language = user_language(user)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
            timezone.activate(user_time_zone(user))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


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
