"""Creating workspaces: cloned from the template, or migrated when the template is unusable."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from tenants.errors import WorkspaceError
from tenants.models import Domain, Tenant, TenantStatus
from tenants.schema_state import expected_tenant_migrations, schemas_behind
from tenants.services import generate_schema_name, schema_populate, tenant_create
from tenants.users.models import User
from tests.conftest import Workspace


def test_session_workspaces_are_real_active_schemas(alpha: Workspace, beta: Workspace) -> None:
    assert alpha.tenant.status == TenantStatus.ACTIVE
    assert schema_exists(alpha.schema)
    assert schema_exists(beta.schema)
    assert alpha.schema != beta.schema


def test_schema_names_are_generated_not_taken_from_the_slug(alpha: Workspace) -> None:
    assert alpha.schema.startswith("t_")
    assert "alpha" not in alpha.schema


def test_generated_schema_names_differ() -> None:
    assert len({generate_schema_name() for _ in range(50)}) == 50


@pytest.mark.django_db
def test_tenant_create_makes_an_active_workspace_with_its_domain() -> None:
    tenant = tenant_create(name="Gamma GmbH", slug="gamma")
    assert tenant.status == TenantStatus.ACTIVE
    assert Domain.objects.get(tenant=tenant).domain == "gamma.localhost"
    with schema_context(tenant.schema_name):
        assert User.objects.count() == 0


@pytest.mark.django_db
def test_cloned_workspace_has_every_tenant_migration() -> None:
    tenant = tenant_create(name="Delta", slug="delta")
    assert schemas_behind([tenant.schema_name]) == {}


@pytest.mark.django_db
def test_taken_slug_is_refused(alpha: Workspace) -> None:
    with pytest.raises(WorkspaceError, match="already taken"):
        tenant_create(name="Copycat", slug="alpha")


@pytest.mark.django_db
def test_reserved_slug_is_refused() -> None:
    with pytest.raises(WorkspaceError, match="reserved"):
        tenant_create(name="Sneaky", slug="www")


@pytest.mark.django_db
def test_template_that_is_behind_is_reported() -> None:
    template = Tenant.objects.get(status=TenantStatus.TEMPLATE)
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{template.schema_name}".django_migrations '  # noqa: S608 -- generated schema name
            "WHERE app = 'users' AND name = '0001_initial'"
        )
    assert schemas_behind([template.schema_name]) == {
        template.schema_name: {("users", "0001_initial")}
    }


@pytest.mark.django_db
def test_populate_falls_back_to_migrations_when_template_is_missing(settings) -> None:
    settings.TENANT_BASE_SCHEMA = "t_no_such_template"
    tenant = Tenant.objects.create(
        schema_name=generate_schema_name(), name="Epsilon", status=TenantStatus.PROVISIONING
    )
    assert schema_populate(tenant=tenant) == "migrate"
    assert schemas_behind([tenant.schema_name]) == {}


@pytest.mark.django_db
def test_populate_clones_when_template_is_current() -> None:
    tenant = Tenant.objects.create(
        schema_name=generate_schema_name(), name="Zeta", status=TenantStatus.PROVISIONING
    )
    assert schema_populate(tenant=tenant) == "clone"


def test_expected_migrations_cover_tenant_apps_only() -> None:
    labels = {label for label, _ in expected_tenant_migrations()}
    assert "users" in labels
    assert "tenants" not in labels
