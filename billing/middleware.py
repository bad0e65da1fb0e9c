"""Access by subscription state on workspace hosts.

Every request gets ``request.billing`` (a :class:`BillingAccess`) for the banner. When the
workspace is read-only, every write (any method but GET, HEAD, OPTIONS) is refused with an
explanation and a link to billing, except signing in and out, password reset and the billing
pages themselves. Reading and exporting keep working; nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from billing.selectors import BillingAccess, tenant_access

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Writes that stay open in a read-only workspace, by URL name.
WRITE_ALLOWED_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "set_language",
        # A person's own account is not workspace data: securing it never waits for billing.
        "profile_name",
        "profile_email",
        "profile_email_cancel",
        "email_confirm",
        "email_verification_resend",
        "verification_banner_hide",
        "profile_password",
        "profile_preferences",
        "profile_notifications",
        "session_end",
        "sessions_end_others",
    }
)
#: URL namespaces whose writes stay open (paying is how a workspace leaves read-only).
WRITE_ALLOWED_NAMESPACES = frozenset({"billing"})


def write_allowed_when_read_only(request: HttpRequest) -> bool:
    match = request.resolver_match
    if match is None:
        return False
    if match.url_name in WRITE_ALLOWED_URL_NAMES:
        return True
    return bool(WRITE_ALLOWED_NAMESPACES.intersection(match.namespaces))


def read_only_response(request: HttpRequest, access: BillingAccess) -> HttpResponse:
    response = render(request, "billing/read_only.html", {"access": access}, status=403)
    response["X-Rapport-Billing"] = "read-only"
    if request.headers.get("HX-Request"):
        # htmx does not swap a 403; reloading the page shows the read-only banner instead.
        response["HX-Refresh"] = "true"
    return response


class BillingAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.is_public:
            request.billing = tenant_access(tenant)  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        access: BillingAccess | None = getattr(request, "billing", None)
        if access is None or not access.read_only or request.method in SAFE_METHODS:
            return None
        if write_allowed_when_read_only(request):
            return None
        return read_only_response(request, access)
