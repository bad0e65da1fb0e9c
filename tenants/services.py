"""Writes about workspaces: the public tenant, the template schema, creating workspaces."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists
from psycopg2 import sql

from core.locales import country_choices, currency_codes, is_time_zone
from tenants.errors import WorkspaceError
from tenants.models import Domain, OpsAction, OpsAuditEntry, Tenant, TenantStatus
from tenants.schema_clone import schema_clone
from tenants.schema_state import schemas_behind
from tenants.selectors import template_tenant, workspace_hostname
from tenants.users.models import Role, User
from tenants.validators import validate_workspace_slug

logger = logging.getLogger(__name__)


def generate_schema_name() -> str:
    """A fresh schema name. Never derived from user input; ``_`` is fine in schema names."""
    return f"t_{secrets.token_hex(6)}"


def public_tenant_ensure() -> Tenant:
    """The row django-tenants needs for the public schema, answering on ``BASE_DOMAIN``."""
    tenant, _ = Tenant.objects.get_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME,
        defaults={"name": "Rapport", "status": TenantStatus.ACTIVE},
    )
    Domain.objects.get_or_create(
        domain=settings.BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True}
    )
    return tenant


def template_ensure() -> Tenant:
    """A migrated template schema exists and is current; new workspaces are cloned from it.

    The template is a real tenant row (status ``template``) so every ``migrate_schemas`` run
    keeps it current; it never answers on any host.
    """
    tenant = template_tenant()
    if tenant is None:
        tenant = Tenant.objects.create(
            schema_name=settings.TENANT_BASE_SCHEMA,
            name="Template",
            status=TenantStatus.TEMPLATE,
        )
    if not schema_exists(tenant.schema_name):
        _schema_migrate_from_scratch(tenant.schema_name)
    elif schemas_behind([tenant.schema_name]):
        _schema_migrate(tenant.schema_name)
    return tenant


def schema_populate(*, tenant: Tenant) -> str:
    """Create the tenant's schema: clone the template when it is current, else migrate.

    Returns how the schema was made (``"clone"`` or ``"migrate"``), so callers can report it.
    """
    template = template_tenant()
    if (
        template is not None
        and schema_exists(template.schema_name)
        and not schemas_behind([template.schema_name])
    ):
        schema_clone(source=template.schema_name, target=tenant.schema_name)
        return "clone"
    logger.warning("Template schema missing or behind; migrating %s from scratch", tenant)
    _schema_migrate_from_scratch(tenant.schema_name)
    return "migrate"


def _schema_migrate_from_scratch(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema_name))
        )
    _schema_migrate(schema_name)


def _schema_migrate(schema_name: str) -> None:
    call_command(
        "migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=0
    )


def schema_drop(schema_name: str) -> None:
    """Drop a workspace schema. The public and template schemas can never be dropped."""
    if schema_name in (settings.PUBLIC_SCHEMA_NAME, settings.TENANT_BASE_SCHEMA):
        raise WorkspaceError(_("Refusing to drop a platform schema."))
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema_name))
        )


def tenant_create(*, name: str, slug: str) -> Tenant:
    """Create an active workspace answering on ``<slug>.BASE_DOMAIN``.

    The tenant row is ``provisioning`` while its schema is made; a failure leaves it
    ``failed`` with the reason, never a half-made workspace that looks active.
    """
    try:
        validate_workspace_slug(slug)
    except ValidationError as error:
        raise WorkspaceError(" ".join(error.messages)) from error
    if Tenant.objects.filter(slug=slug).exists():
        raise WorkspaceError(_("The address %(slug)s is already taken.") % {"slug": slug})
    tenant = Tenant.objects.create(
        schema_name=generate_schema_name(),
        name=name,
        slug=slug,
        status=TenantStatus.PROVISIONING,
    )
    try:
        schema_populate(tenant=tenant)
        Domain.objects.create(domain=workspace_hostname(slug), tenant=tenant, is_primary=True)
    except Exception as error:
        logger.exception("Provisioning of %s failed", tenant)
        Tenant.objects.filter(pk=tenant.pk).update(
            status=TenantStatus.FAILED, status_reason=str(error)
        )
        raise WorkspaceError(
            _("The workspace could not be created: %(error)s") % {"error": error}
        ) from error
    tenant.status = TenantStatus.ACTIVE
    tenant.save(update_fields=["status", "updated_at"])
    return tenant


def workspace_user_create(
    *,
    tenant: Tenant,
    email: str,
    full_name: str,
    password: str | None,
    role: str = Role.REP,
    email_verified: bool = False,
) -> User:
    """Add a user to a workspace (inside the workspace's schema).

    ``email_verified`` is for addresses Rapport need not check (the demo's made-up ones).
    """
    with schema_context(tenant.schema_name):
        if User.objects.filter(email__iexact=email).exists():
            raise WorkspaceError(
                _("%(email)s already has an account in this workspace.") % {"email": email}
            )
        return User.objects.create_user(
            email,
            password,
            full_name=full_name,
            role=role,
            email_verified_at=timezone.now() if email_verified else None,
        )


def tenant_set_status(*, tenant: Tenant, status: TenantStatus, reason: str = "") -> Tenant:
    """Change a workspace's status (suspend, reactivate, close) with the reason shown to users."""
    tenant.status = status
    tenant.status_reason = reason
    tenant.save(update_fields=["status", "status_reason", "updated_at"])
    return tenant


def tenant_locale_update(
    *,
    tenant: Tenant,
    language: str,
    time_zone: str,
    country: str,
    currency: str,
    name: str | None = None,
    by_email: str = "",
) -> Tenant:
    """Change the workspace's defaults: the language its people see unless they choose
    another, the time zone its dates are shown in, its country and its base currency (and,
    from the settings page, its name). What changed is kept in the workspace's audit trail."""
    country = country.upper()
    currency = currency.upper()
    if language not in dict(settings.LANGUAGES):
        raise WorkspaceError(_("Choose one of Rapport's languages."))
    if not is_time_zone(time_zone):
        raise WorkspaceError(_("Choose a time zone from the list."))
    if country and country not in dict(country_choices("en")):
        raise WorkspaceError(_("Choose a country from the list."))
    if currency not in currency_codes():
        raise WorkspaceError(_("Choose a currency from the list."))
    values = {"language": language, "time_zone": time_zone, "country": country}
    values["currency"] = currency
    if name is not None:
        if not name.strip():
            raise WorkspaceError(_("The workspace needs a name."))
        values["name"] = name.strip()
    current = Tenant.objects.select_for_update().get(pk=tenant.pk)
    changed = {
        field: (str(getattr(current, field)), str(value))
        for field, value in values.items()
        if str(getattr(current, field)) != str(value)
    }
    for field, value in values.items():
        setattr(tenant, field, value)
    if changed:
        tenant.save(update_fields=[*changed, "updated_at"])
        OpsAuditEntry.objects.create(
            tenant=tenant,
            actor_email=by_email,
            action=OpsAction.WORKSPACE_SETTINGS,
            reason="; ".join(f"{field}: {old} → {new}" for field, (old, new) in changed.items()),
        )
    return tenant
