"""The Host header, and only it, selects the workspace."""

from __future__ import annotations

import pytest
from django.test import Client

from tenants.models import Domain, Tenant, TenantStatus
from tenants.services import tenant_set_status
from tests.conftest import Workspace


@pytest.mark.django_db
def test_public_host_serves_the_landing_page() -> None:
    response = Client(HTTP_HOST="localhost").get("/")
    assert response.status_code == 200
    assert b"Know every customer" in response.content


@pytest.mark.django_db
def test_unknown_workspace_host_is_404() -> None:
    response = Client(HTTP_HOST="nobody-here.localhost").get("/login/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_host_outside_allowed_hosts_is_rejected() -> None:
    response = Client(HTTP_HOST="alpha.evil.example").get("/login/")
    assert response.status_code == 400


def test_workspace_host_serves_its_login_page(alpha_client: Client) -> None:
    response = alpha_client.get("/login/")
    assert response.status_code == 200
    assert b"Alpha Ltd" in response.content


def test_host_matching_ignores_case_and_port(alpha: Workspace) -> None:
    response = Client(HTTP_HOST="ALPHA.localhost:8000").get("/login/")
    assert response.status_code == 200
    assert b"Alpha Ltd" in response.content


def test_x_forwarded_host_never_selects_a_workspace(alpha: Workspace) -> None:
    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_HOST=alpha.host)
    response = client.get("/login/")
    assert response.status_code == 404


def test_query_parameter_never_selects_a_workspace(alpha: Workspace) -> None:
    response = Client(HTTP_HOST="localhost").get("/login/", {"tenant": alpha.schema})
    assert response.status_code == 404


@pytest.mark.django_db
def test_template_schema_never_answers() -> None:
    template = Tenant.objects.get(status=TenantStatus.TEMPLATE)
    Domain.objects.create(domain="template-probe.localhost", tenant=template)
    response = Client(HTTP_HOST="template-probe.localhost").get("/login/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_pooled_schema_never_answers() -> None:
    pooled = Tenant.objects.create(schema_name="t_pooledprobe", name="", status=TenantStatus.POOLED)
    Domain.objects.create(domain="pooled-probe.localhost", tenant=pooled)
    response = Client(HTTP_HOST="pooled-probe.localhost").get("/login/")
    assert response.status_code == 404


def test_suspended_workspace_shows_status_page_with_reason(
    alpha: Workspace, alpha_client: Client
) -> None:
    tenant_set_status(tenant=alpha.tenant, status=TenantStatus.SUSPENDED, reason="Unpaid invoice")
    response = alpha_client.get("/login/")
    assert response.status_code == 403
    assert b"This workspace is suspended" in response.content
    assert b"Unpaid invoice" in response.content


def test_suspended_workspace_refuses_sign_in(alpha: Workspace, alpha_client: Client) -> None:
    tenant_set_status(tenant=alpha.tenant, status=TenantStatus.SUSPENDED, reason="Abuse")
    response = alpha_client.post("/login/", {"username": "x@example.com", "password": "x"})
    assert response.status_code == 403


def test_provisioning_workspace_asks_to_retry(alpha: Workspace, alpha_client: Client) -> None:
    tenant_set_status(tenant=alpha.tenant, status=TenantStatus.PROVISIONING)
    response = alpha_client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert b"being prepared" in response.content


def test_closed_workspace_is_gone(alpha: Workspace, alpha_client: Client) -> None:
    tenant_set_status(tenant=alpha.tenant, status=TenantStatus.CLOSED)
    response = alpha_client.get("/")
    assert response.status_code == 410


def test_health_check_answers_on_workspace_host(alpha_client: Client) -> None:
    response = alpha_client.get("/healthz")
    assert response.json() == {"status": "ok"}
