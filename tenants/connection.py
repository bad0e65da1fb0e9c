"""Typed access to django-tenants' schema switching on the default connection.

django-tenants adds these members to its database wrapper at run time; keeping the calls
here gives the rest of the code one typed, greppable seam.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection

if TYPE_CHECKING:
    from tenants.models import Tenant

_tenant_connection: Any = connection


def current_schema_name() -> str:
    """The schema the default connection's ``search_path`` points at."""
    return str(_tenant_connection.schema_name)


def use_public_schema() -> None:
    _tenant_connection.set_schema_to_public()


def use_tenant_schema(tenant: Tenant) -> None:
    _tenant_connection.set_tenant(tenant)
