"""Role checks for views: signed in, and with the role the page needs (403 otherwise).

Roles are compared by value ("admin", "manager", …), so every app can guard its views without
importing the user model.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Only signed-in users with one of ``roles`` reach the view."""
    allowed = {str(role) for role in roles}

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if str(getattr(request.user, "role", "")) not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required("admin")


def staff_required(view: View) -> View:
    """Provider-operations pages on the public host."""

    @wraps(view)
    @login_required(login_url="ops_login")
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request.user, "is_staff", False):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
