"""Template context about the current workspace."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def workspace(request: HttpRequest) -> dict[str, object]:
    """``workspace`` is the current tenant on a workspace host, ``None`` on the public site."""
    tenant = getattr(request, "tenant", None)
    is_workspace = tenant is not None and not tenant.is_public
    return {
        "workspace": tenant if is_workspace else None,
        "BASE_DOMAIN": settings.BASE_DOMAIN,
    }
