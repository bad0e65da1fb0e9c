"""The provider-operations console: staff only, every action audited, closing takes two steps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from onboarding.provisioning import SignupRequest, signup_start
from tenants import ops
from tenants.errors import WorkspaceError
from tenants.models import OpsAction, OpsAuditEntry, Tenant, TenantStatus
from tenants.users.models import User
from tests.conftest import Workspace
from tests.factories import TEST_PASSWORD


@pytest.fixture
def staff(db: None) -> User:
    return User.objects.create_superuser("ops@rapport.example", TEST_PASSWORD, full_name="Olga")


@pytest.fixture
def ops_client(staff: User) -> Client:
    client = Client(HTTP_HOST="localhost")
    response = client.post("/ops/login/", {"username": staff.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.django_db
def test_ops_console_requires_sign_in() -> None:
    response = Client(HTTP_HOST="localhost").get("/ops/")
    assert response.status_code == 302
    assert response["Location"].startswith("/ops/login/")


@pytest.mark.django_db
def test_public_non_staff_user_gets_403() -> None:
    User.objects.create_user("visitor@example.com", TEST_PASSWORD, full_name="V")
    client = Client(HTTP_HOST="localhost")
    client.post("/ops/login/", {"username": "visitor@example.com", "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert client.get("/ops/").status_code == 302


def test_ops_console_is_not_served_on_a_workspace_host(alpha_client: Client) -> None:
    assert alpha_client.get("/ops/").status_code == 404


def test_tenant_list_shows_workspaces_with_user_counts(
    ops_client: Client, alpha: Workspace, alpha_admin: User
) -> None:
    response = ops_client.get("/ops/")
    assert b"Alpha Ltd" in response.content
    assert b"Beta Ltd" in response.content
    assert b"t_template" not in response.content


def test_tenant_list_search_filters(ops_client: Client, alpha: Workspace, beta: Workspace) -> None:
    response = ops_client.get("/ops/", {"q": "alph"})
    assert b"Alpha Ltd" in response.content
    assert b"Beta Ltd" not in response.content


def test_tenant_list_status_filter(ops_client: Client, alpha: Workspace, beta: Workspace) -> None:
    Tenant.objects.filter(pk=beta.tenant.pk).update(status=TenantStatus.SUSPENDED)
    response = ops_client.get("/ops/", {"status": "suspended"})
    assert b"Beta Ltd" in response.content
    assert b"Alpha Ltd" not in response.content


def test_tenant_list_answers_htmx_with_the_table_only(ops_client: Client, alpha: Workspace) -> None:
    response = ops_client.get("/ops/", {"q": "alpha"}, HTTP_HX_REQUEST="true")
    assert b'id="tenant-table"' in response.content
    assert b"<html" not in response.content


def test_suspend_is_audited_and_blocks_the_workspace(
    ops_client: Client, staff: User, alpha: Workspace, alpha_client: Client
) -> None:
    response = ops_client.post(f"/ops/tenants/{alpha.tenant.pk}/suspend/", {"reason": "Chargeback"})
    assert response.status_code == 302
    entry = OpsAuditEntry.objects.get(tenant=alpha.tenant)
    assert (entry.action, entry.actor_email, entry.reason) == (
        OpsAction.SUSPEND,
        staff.email,
        "Chargeback",
    )
    page = alpha_client.get("/login/")
    assert page.status_code == 403
    assert b"Chargeback" in page.content


def test_suspend_without_reason_is_refused(ops_client: Client, alpha: Workspace) -> None:
    ops_client.post(f"/ops/tenants/{alpha.tenant.pk}/suspend/", {"reason": ""})
    assert Tenant.objects.get(pk=alpha.tenant.pk).status == TenantStatus.ACTIVE
    assert not OpsAuditEntry.objects.exists()


def test_reactivate_restores_access(ops_client: Client, staff: User, alpha: Workspace) -> None:
    ops.tenant_suspend(tenant=alpha.tenant, by=staff, reason="Check")
    ops_client.post(f"/ops/tenants/{alpha.tenant.pk}/reactivate/", {"reason": "Resolved"})
    assert Tenant.objects.get(pk=alpha.tenant.pk).status == TenantStatus.ACTIVE
    assert list(OpsAuditEntry.objects.values_list("action", flat=True)) == [
        OpsAction.REACTIVATE,
        OpsAction.SUSPEND,
    ]


def test_detail_page_shows_the_audit_trail(
    ops_client: Client, staff: User, alpha: Workspace
) -> None:
    ops.tenant_suspend(tenant=alpha.tenant, by=staff, reason="Unpaid since March")
    response = ops_client.get(f"/ops/tenants/{alpha.tenant.pk}/")
    assert b"Unpaid since March" in response.content
    assert staff.email.encode() in response.content


def test_retry_requeues_a_failed_provisioning(ops_client: Client, staff: User) -> None:
    signup = signup_start(
        SignupRequest("Broken Co", "broken-co", "B", "b@broken.example", "a-long-passphrase")
    )
    Tenant.objects.filter(pk=signup.tenant_id).update(status=TenantStatus.FAILED)
    ops_client.post(f"/ops/tenants/{signup.tenant_id}/retry/", {"reason": "Disk freed"})
    tenant = Tenant.objects.get(pk=signup.tenant_id)
    assert OpsAuditEntry.objects.get(tenant=tenant).action == OpsAction.RETRY_PROVISIONING


def test_closing_takes_two_steps_and_keeps_the_schema(staff: User, alpha: Workspace) -> None:
    with pytest.raises(WorkspaceError, match="Request the closure first"):
        ops.closure_confirm(tenant=alpha.tenant, by=staff, typed_slug="alpha")
    ops.closure_request(tenant=alpha.tenant, by=staff, reason="Customer asked")
    assert Tenant.objects.get(pk=alpha.tenant.pk).status == TenantStatus.ACTIVE
    with pytest.raises(WorkspaceError, match="Type the workspace address"):
        ops.closure_confirm(tenant=alpha.tenant, by=staff, typed_slug="alpah")
    ops.closure_confirm(tenant=alpha.tenant, by=staff, typed_slug="alpha")
    tenant = Tenant.objects.get(pk=alpha.tenant.pk)
    assert tenant.status == TenantStatus.CLOSED
    assert tenant.purge_after is not None
    assert tenant.purge_after > timezone.now() + timedelta(days=29)
    assert schema_exists(alpha.schema)


def test_purge_only_drops_schemas_past_retention(staff: User) -> None:
    signup = signup_start(
        SignupRequest("Old Co", "old-co", "O", "o@old.example", "a-long-passphrase")
    )
    from onboarding.provisioning import signup_provision

    signup_provision(signup=signup)
    tenant = Tenant.objects.get(pk=signup.tenant_id)
    ops.closure_request(tenant=tenant, by=staff, reason="Gone")
    ops.closure_confirm(tenant=tenant, by=staff, typed_slug="old-co")
    assert ops.closed_workspaces_purge() == []
    Tenant.objects.filter(pk=tenant.pk).update(purge_after=timezone.now() - timedelta(seconds=1))
    assert ops.closed_workspaces_purge() == [tenant.schema_name]
    assert not schema_exists(tenant.schema_name)
    assert OpsAuditEntry.objects.filter(tenant=tenant, action=OpsAction.PURGE).exists()


def test_migrations_still_run_after_a_workspace_was_purged(staff: User) -> None:
    signup = signup_start(
        SignupRequest("Gone Co", "gone-co", "G", "g@gone.example", "a-long-passphrase")
    )
    from onboarding.provisioning import signup_provision

    signup_provision(signup=signup)
    tenant = Tenant.objects.get(pk=signup.tenant_id)
    ops.closure_request(tenant=tenant, by=staff, reason="Gone")
    ops.closure_confirm(tenant=tenant, by=staff, typed_slug="gone-co")
    Tenant.objects.filter(pk=tenant.pk).update(purge_after=timezone.now() - timedelta(seconds=1))
    ops.closed_workspaces_purge()
    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
    assert Tenant.objects.filter(pk=tenant.pk).exists()
    assert not schema_exists(tenant.schema_name)
    with pytest.raises(WorkspaceError, match="purged"):
        ops.closure_cancel(tenant=tenant, by=staff, reason="Too late")


def test_closed_workspace_can_be_reopened_within_retention(staff: User, alpha: Workspace) -> None:
    ops.closure_request(tenant=alpha.tenant, by=staff, reason="Asked")
    ops.closure_confirm(tenant=alpha.tenant, by=staff, typed_slug="alpha")
    ops.closure_cancel(tenant=alpha.tenant, by=staff, reason="Changed their mind")
    assert Tenant.objects.get(pk=alpha.tenant.pk).status == TenantStatus.ACTIVE
    with schema_context(alpha.schema):
        assert User.objects.model._meta.db_table == "users_user"


def test_ops_actions_require_post(ops_client: Client, alpha: Workspace) -> None:
    assert ops_client.get(f"/ops/tenants/{alpha.tenant.pk}/suspend/").status_code == 405


def test_workspace_admin_cannot_reach_ops_actions(alpha: Workspace, alpha_admin: User) -> None:
    client = Client(HTTP_HOST="localhost")
    client.post("/ops/login/", {"username": alpha_admin.email, "password": TEST_PASSWORD})
    response = client.post(f"/ops/tenants/{alpha.tenant.pk}/suspend/", {"reason": "x"})
    assert response.status_code == 302
    assert Tenant.objects.get(pk=alpha.tenant.pk).status == TenantStatus.ACTIVE
