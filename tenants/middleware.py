"""Selects the workspace from the Host header, and only from it.

Proxy headers (``X-Forwarded-Host``), query parameters and form fields never choose a
tenant. An unknown host is a 404; template and pooled schemas never answer; a workspace that
is provisioning, suspended, closed or failed gets a status page instead of its CRM.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import set_urlconf

from tenants.connection import use_public_schema, use_tenant_schema
from tenants.models import INTERNAL_STATUSES, Tenant, TenantStatus
from tenants.selectors import tenant_for_hostname

#: HTTP status of the page shown for a workspace that does not serve its CRM.
STATUS_PAGE_CODES = {
    TenantStatus.PROVISIONING: 503,
    TenantStatus.FAILED: 503,
    TenantStatus.SUSPENDED: 403,
    TenantStatus.CLOSED: 410,
}


def hostname_from_request(request: HttpRequest) -> str:
    """The request's host without port. ``get_host`` enforces ``ALLOWED_HOSTS`` (400 if not)."""
    return request.get_host().rsplit(":", 1)[0].lower()


class WorkspaceMiddleware:
    """Route the request to the public site or a workspace schema by hostname."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        use_public_schema()
        hostname = hostname_from_request(request)
        tenant = tenant_for_hostname(hostname)
        if tenant is None or tenant.status in INTERNAL_STATUSES:
            raise Http404("No workspace answers on this address.")
        tenant.domain_url = hostname
        request.tenant = tenant  # type: ignore[attr-defined]
        if tenant.is_public:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF  # type: ignore[attr-defined]
            set_urlconf(settings.PUBLIC_SCHEMA_URLCONF)
            return self.get_response(request)
        if not tenant.is_serving:
            return workspace_status_page(request, tenant)
        use_tenant_schema(tenant)
        return self.get_response(request)


def workspace_status_page(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """Explain why a workspace is not available, without touching its schema."""
    response = render(
        request,
        "tenants/status.html",
        {"tenant": tenant, "TenantStatus": TenantStatus},
        status=STATUS_PAGE_CODES.get(TenantStatus(tenant.status), 503),
    )
    if tenant.status == TenantStatus.PROVISIONING:
        response["Retry-After"] = "2"
    return response
