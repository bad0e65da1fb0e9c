"""Admins set the workspace's name, default language, time zone, country and base currency."""

from __future__ import annotations

from django.test import Client

from tenants.models import OpsAction, OpsAuditEntry, Tenant
from tests.conftest import Workspace, sign_in

VALUES = {
    "name": "Alpha 有限公司",
    "language": "zh-hant",
    "time_zone": "Asia/Taipei",
    "country": "TW",
    "currency": "TWD",
}


def test_admin_changes_the_workspace_defaults(alpha: Workspace, signed_in_alpha_admin) -> None:
    """Saved values apply to the workspace row and its pages use the new language."""
    response = signed_in_alpha_admin.post("/settings/workspace/", VALUES)
    assert response.status_code == 302
    tenant = Tenant.objects.get(pk=alpha.tenant.pk)
    assert (tenant.name, tenant.language, tenant.time_zone, tenant.country, tenant.currency) == (
        "Alpha 有限公司",
        "zh-hant",
        "Asia/Taipei",
        "TW",
        "TWD",
    )
    assert signed_in_alpha_admin.get("/")["Content-Language"] == "zh-hant"


def test_change_is_recorded_in_the_audit_trail(alpha: Workspace, signed_in_alpha_admin) -> None:
    """Who changed what is kept with the workspace."""
    signed_in_alpha_admin.post("/settings/workspace/", VALUES)
    entry = OpsAuditEntry.objects.get(tenant=alpha.tenant, action=OpsAction.WORKSPACE_SETTINGS)
    assert "currency: EUR → TWD" in entry.reason


def test_unknown_currency_is_refused_with_a_message(
    alpha: Workspace, signed_in_alpha_admin
) -> None:
    """An invented currency code is not accepted and nothing changes."""
    response = signed_in_alpha_admin.post("/settings/workspace/", {**VALUES, "currency": "XYZ"})
    assert response.status_code == 400
    assert Tenant.objects.get(pk=alpha.tenant.pk).currency == "EUR"


def test_only_admins_change_workspace_settings(alpha: Workspace, alpha_rep) -> None:
    """A sales rep gets a 403."""
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, alpha_rep)
    assert client.post("/settings/workspace/", VALUES).status_code == 403


def test_settings_of_one_workspace_never_touch_another(
    alpha: Workspace, beta: Workspace, signed_in_alpha_admin
) -> None:
    """Saving alpha's settings leaves beta as it was."""
    before = Tenant.objects.get(pk=beta.tenant.pk).language
    signed_in_alpha_admin.post("/settings/workspace/", VALUES)
    assert Tenant.objects.get(pk=beta.tenant.pk).language == before
