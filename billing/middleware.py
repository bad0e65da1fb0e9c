"""Access by subscription state on workspace hosts.

Every request gets ``request.billing`` (a :class:`BillingAccess`) for the banner. When the
workspace is read-only, every write (any method but GET, HEAD, OPTIONS) is refused with an
explanation and a link to billing, except signing in and out, password reset and the billing
pages themselves. Reading and exporting keep working; nothing is deleted.

Pages show their write controls disabled in that state (``billing.templatetags.write_lock``),
so a refused write comes from a tab opened before: the refusal shows back what was typed,
ready to copy, instead of losing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

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
        # One's own notifications: reading them and turning e-mails off is not workspace data.
        "notification_open",
        "notification_read",
        "notifications_read_all",
        "notification_preferences",
        "digest_unsubscribe",
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


#: Parts of field names whose values are never shown back: secrets and form machinery.
UNSHOWN_NAME_PARTS = ("password", "csrf", "token", "secret", "card", "cvc")
#: Bounds on what a refusal echoes: a page of fields, each cut to a readable length.
MAX_SHOWN_FIELDS = 60
MAX_SHOWN_LENGTH = 10_000


@dataclass(frozen=True)
class SubmittedValue:
    """One field of a refused form, as the user typed it."""

    name: str
    label: str
    value: str


def _label(name: str) -> str:
    """``expected_close_on`` as "Expected close on"; custom fields (``cf_``) by their key."""
    words = name.removeprefix("cf_").replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def submitted_values(request: HttpRequest) -> list[SubmittedValue]:
    """What a refused form sent, to show back: filled fields, never secrets or tokens."""
    try:
        data = request.POST
    except (RequestDataTooBig, MultiPartParserError, SuspiciousOperation, UnreadablePostError):
        return []
    values = []
    for name in data:
        if any(part in name.lower() for part in UNSHOWN_NAME_PARTS):
            continue
        text = ", ".join(value for value in data.getlist(name) if value.strip())
        if not text:
            continue
        if len(text) > MAX_SHOWN_LENGTH:
            text = text[:MAX_SHOWN_LENGTH] + "…"
        values.append(SubmittedValue(name[:100], _label(name[:100]), text))
        if len(values) == MAX_SHOWN_FIELDS:
            break
    return values


def read_only_response(request: HttpRequest, access: BillingAccess) -> HttpResponse:
    """The refusal: why, where to pay, and what the user typed, to copy before leaving.

    A form posts to a 403 page. An htmx request gets the same explanation as a dialog laid
    over the page it came from (200 with ``HX-Retarget``, as htmx swaps nothing on a 4xx),
    so the form underneath keeps its input too.
    """
    context = {"access": access, "submitted": submitted_values(request)}
    if request.headers.get("HX-Request"):
        response = render(request, "billing/read_only.html#read-only-dialog", context)
        response["HX-Retarget"] = "body"
        response["HX-Reswap"] = "beforeend"
    else:
        response = render(request, "billing/read_only.html", context, status=403)
    response["X-Rapport-Billing"] = "read-only"
    return response


class BillingAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.is_public:
            # Read on first use: the banner of a full page reads it, a write is checked
            # against it, and small polled fragments (the notification bell) skip the query.
            request.billing = SimpleLazyObject(lambda: tenant_access(tenant))  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if request.method in SAFE_METHODS:
            return None
        access: BillingAccess | None = getattr(request, "billing", None)
        if access is None or not access.read_only:
            return None
        if write_allowed_when_read_only(request):
            return None
        return read_only_response(request, access)
