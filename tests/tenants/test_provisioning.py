"""The warm pool, signup claims, background provisioning and its failure path."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from onboarding import provisioning
from onboarding.provisioning import SignupRequest, signup_provision, signup_start
from onboarding.signups.models import Signup, SignupStatus
from tenants.errors import WorkspaceError
from tenants.models import Domain, Tenant, TenantStatus
from tenants.pool import pool_refill, pool_tenant_create
from tenants.services import schema_drop
from tenants.users.models import Role, User


def _request(slug: str = "newco") -> SignupRequest:
    return SignupRequest(
        company_name="NewCo Ltd",
        slug=slug,
        admin_name="Nora New",
        admin_email="Nora@NewCo.example",
        admin_password="a-long-passphrase",
        plan_slug="growth",
    )


@pytest.mark.django_db
def test_pool_refill_fills_up_to_the_target() -> None:
    assert pool_refill(target=2) == 2
    assert Tenant.objects.filter(status=TenantStatus.POOLED).count() == 2
    assert pool_refill(target=2) == 0


@pytest.mark.django_db
def test_pooled_schema_is_fully_migrated() -> None:
    from tenants.schema_state import schemas_behind

    pooled = pool_tenant_create()
    assert schemas_behind([pooled.schema_name]) == {}
    assert pooled.slug is None


@pytest.mark.django_db
def test_signup_claims_a_pooled_schema_and_is_ready_at_once() -> None:
    pooled = pool_tenant_create()
    signup = signup_start(_request())
    assert signup.tenant.pk == pooled.pk
    assert signup.status == SignupStatus.READY
    assert signup.provisioning_method == "pool"
    tenant = Tenant.objects.get(pk=pooled.pk)
    assert (tenant.status, tenant.slug, tenant.name) == (TenantStatus.ACTIVE, "newco", "NewCo Ltd")
    assert Domain.objects.get(tenant=tenant).domain == "newco.localhost"


@pytest.mark.django_db
def test_signup_creates_the_admin_with_the_chosen_password() -> None:
    pool_tenant_create()
    signup = signup_start(_request())
    with schema_context(signup.tenant.schema_name):
        admin = User.objects.get()
    assert (admin.email, admin.role, admin.full_name) == (
        "nora@newco.example",
        Role.ADMIN,
        "Nora New",
    )
    assert admin.check_password("a-long-passphrase")


@pytest.mark.django_db
def test_signup_never_stores_the_password_in_clear() -> None:
    signup = signup_start(_request())
    assert "a-long-passphrase" not in signup.admin_password_hash
    assert check_password("a-long-passphrase", signup.admin_password_hash)


@pytest.mark.django_db
def test_signup_with_empty_pool_waits_for_a_worker(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signup = signup_start(_request())
    assert signup.status == SignupStatus.WAITING
    assert signup.tenant.status == TenantStatus.PROVISIONING
    assert not schema_exists(signup.tenant.schema_name)
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_worker_provisioning_clones_and_completes_the_signup() -> None:
    signup = signup_start(_request())
    signup_provision(signup=signup)
    signup.refresh_from_db()
    assert signup.status == SignupStatus.READY
    assert signup.provisioning_method == "clone"
    assert Tenant.objects.get(pk=signup.tenant_id).status == TenantStatus.ACTIVE


@pytest.mark.django_db
def test_worker_provisioning_migrates_when_template_is_missing(settings) -> None:
    settings.TENANT_BASE_SCHEMA = "t_no_such_template"
    signup = signup_start(_request())
    signup_provision(signup=signup)
    signup.refresh_from_db()
    assert signup.provisioning_method == "migrate"
    assert signup.status == SignupStatus.READY


@pytest.mark.django_db
def test_failed_provisioning_leaves_a_visible_failed_state(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_populate(*, tenant: Tenant) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(provisioning, "schema_populate", broken_populate)
    signup = signup_start(_request())
    with pytest.raises(RuntimeError):
        signup_provision(signup=signup)
    tenant = Tenant.objects.get(pk=signup.tenant_id)
    assert tenant.status == TenantStatus.FAILED
    assert "disk full" in tenant.status_reason
    assert Signup.objects.get(pk=signup.pk).status == SignupStatus.FAILED


@pytest.mark.django_db
def test_provisioning_retry_after_failure_succeeds(monkeypatch: pytest.MonkeyPatch) -> None:
    real_populate = provisioning.schema_populate
    monkeypatch.setattr(provisioning, "schema_populate", lambda *, tenant: 1 / 0)
    signup = signup_start(_request())
    with pytest.raises(ZeroDivisionError):
        signup_provision(signup=signup)
    monkeypatch.setattr(provisioning, "schema_populate", real_populate)
    signup.refresh_from_db()
    signup_provision(signup=signup)
    assert Tenant.objects.get(pk=signup.tenant_id).status == TenantStatus.ACTIVE


@pytest.mark.django_db
def test_taken_slug_at_claim_time_is_a_clear_error(alpha) -> None:
    with pytest.raises(WorkspaceError, match="just taken"):
        signup_start(_request(slug="alpha"))


def test_two_concurrent_signups_never_get_the_same_schema(committed: None) -> None:
    pooled = [pool_tenant_create(), pool_tenant_create()]
    results: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def sign_up(slug: str) -> None:
        barrier.wait()
        try:
            results[slug] = signup_start(_request(slug=slug)).tenant.schema_name
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(slug,)) for slug in ("race-one", "race-two")]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert results["race-one"] != results["race-two"]
        assert set(results.values()) == {tenant.schema_name for tenant in pooled}
    finally:
        for tenant in Tenant.objects.filter(pk__in=[t.pk for t in pooled]):
            schema_drop(tenant.schema_name)
            tenant.delete()


@pytest.mark.django_db
def test_signup_sets_the_workspace_locale_from_its_country() -> None:
    """A Taiwanese signup gets Traditional Chinese, TWD and Asia/Taipei by default."""
    pool_tenant_create()
    request = _request("twco")
    signup = signup_start(
        SignupRequest(**{**request.__dict__, "language": "zh-hant", "country": "TW"})
    )
    tenant = Tenant.objects.get(pk=signup.tenant_id)
    assert (tenant.language, tenant.country, tenant.currency, tenant.time_zone) == (
        "zh-hant",
        "TW",
        "TWD",
        "Asia/Taipei",
    )


@pytest.mark.django_db
def test_default_pipeline_is_named_in_the_workspace_language() -> None:
    """The stages a new Chinese workspace starts with are in Chinese, not the template's
    English."""
    from crm.models import Pipeline, Stage

    pool_tenant_create()
    request = _request("cnco")
    signup = signup_start(
        SignupRequest(**{**request.__dict__, "language": "zh-hans", "country": "CN"})
    )
    tenant = Tenant.objects.get(pk=signup.tenant_id)
    with schema_context(tenant.schema_name):
        assert Pipeline.objects.get().name == "销售"
        assert "赢单" in set(Stage.objects.values_list("name", flat=True))
