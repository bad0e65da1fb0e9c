"""Reads about workspaces and their hostnames."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest

from tenants.models import Domain, Tenant, TenantStatus


def workspace_hostname(slug: str) -> str:
    """The hostname a workspace answers on: ``<slug>.BASE_DOMAIN``."""
    return f"{slug}.{settings.BASE_DOMAIN}"


def workspace_url(tenant: Tenant, path: str = "/") -> str:
    """An absolute link into a workspace, for emails and the handoff after signup."""
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{workspace_hostname(str(tenant.slug))}{port}{path}"


def public_url(path: str = "/") -> str:
    """An absolute link to the public site."""
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{settings.BASE_DOMAIN}{port}{path}"


def request_tenant(request: HttpRequest) -> Tenant:
    """The workspace the middleware selected for this request."""
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    return tenant


def tenant_for_hostname(hostname: str) -> Tenant | None:
    """The tenant that owns ``hostname``, or ``None``; one indexed query."""
    domain = Domain.objects.select_related("tenant").filter(domain=hostname.lower()).first()
    return domain.tenant if domain else None


def customer_tenants() -> QuerySet[Tenant]:
    """Workspaces that belong to customers (not the public, template or pooled schemas)."""
    return Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).exclude(
        status__in=[TenantStatus.TEMPLATE, TenantStatus.POOLED]
    )


def template_tenant() -> Tenant | None:
    """The migrated schema new workspaces are cloned from, if it exists."""
    return Tenant.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA).first()


def current_tenant() -> Tenant:
    """The workspace whose schema the connection is in (tasks, management commands)."""
    from tenants.connection import current_schema_name

    return Tenant.objects.get(schema_name=current_schema_name())
