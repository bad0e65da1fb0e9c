"""Reads about workspaces and their hostnames."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name
from psycopg2 import sql

from tenants.connection import current_schema_name
from tenants.models import Domain, Tenant, TenantStatus
from tenants.schema_state import schemas_with_table


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
    return Tenant.objects.get(schema_name=current_schema_name())


@dataclass(frozen=True)
class WorkspaceUsage:
    user_count: int
    last_login: datetime | None


def workspace_usage(schema_names: list[str]) -> dict[str, WorkspaceUsage]:
    """Active users and the latest sign-in of each workspace, in one round trip."""
    usage = {name: WorkspaceUsage(0, None) for name in schema_names}
    parts = [
        sql.SQL(
            "SELECT {schema}, count(*) FILTER (WHERE is_active), max(last_login) FROM {table}"
        ).format(schema=sql.Literal(name), table=sql.Identifier(name, "users_user"))
        for name in schemas_with_table(schema_names, "users_user")
    ]
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL(" UNION ALL ").join(parts).as_string(cursor.cursor))
            for schema_name, user_count, last_login in cursor.fetchall():
                usage[schema_name] = WorkspaceUsage(int(user_count), last_login)
    return usage


def workspaces_for_email(email: str) -> list[Tenant]:
    """Active workspaces where ``email`` has an active account (for "find my workspace")."""
    tenants = {t.schema_name: t for t in customer_tenants().filter(status=TenantStatus.ACTIVE)}
    parts = [
        sql.SQL("SELECT {schema} FROM {table} WHERE lower(email) = {email} AND is_active").format(
            schema=sql.Literal(name),
            table=sql.Identifier(name, "users_user"),
            email=sql.Literal(email.strip().lower()),
        )
        for name in schemas_with_table(list(tenants), "users_user")
    ]
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL(" UNION ALL ").join(parts).as_string(cursor.cursor))
        return sorted((tenants[row[0]] for row in cursor.fetchall()), key=lambda t: t.name)


def ops_tenants(
    *,
    search: str = "",
    status: str = "",
    plan: str = "",
    created_from: date | None = None,
    created_to: date | None = None,
) -> QuerySet[Tenant]:
    """Customer workspaces for the ops console, filtered."""
    tenants = customer_tenants().order_by("-created_at")
    if search:
        tenants = tenants.filter(
            Q(name__icontains=search)
            | Q(slug__icontains=search)
            | Q(signup__admin_email__icontains=search)
        )
    if status:
        tenants = tenants.filter(status=status)
    if plan:
        tenants = tenants.filter(plan_slug=plan)
    if created_from:
        tenants = tenants.filter(created_at__date__gte=created_from)
    if created_to:
        tenants = tenants.filter(created_at__date__lte=created_to)
    return tenants


def current_workspace_row() -> Tenant | None:
    """The workspace the connection is in: the request's tenant row, or (in tasks and
    ``schema_context``, which set only the schema) the row looked up by schema name."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return None if tenant.is_public else tenant
    schema = current_schema_name()
    if schema == get_public_schema_name():
        return None
    cached = getattr(tenant, "_rapport_row", None)
    if cached is not None:
        return cached
    row = Tenant.objects.filter(schema_name=schema).first()
    if tenant is not None and row is not None:
        tenant._rapport_row = row  # remembered on the schema's stand-in for this block
    return row
