"""Another workspace sees nothing of alpha's insights fragments: a deal's win probability by
id, the look-after card, the return page's hourly figures."""

from __future__ import annotations

from django.test import Client
from django_tenants.utils import schema_context

from onboarding.tasks import return_figures_job
from tests.conftest import Workspace, sign_in
from tests.crm.factories import ActivityFactory, CompanyFactory, DealFactory
from tests.factories import AdminFactory
from tests.insights.values import value_row


def _beta_admin_client(beta: Workspace) -> Client:
    with schema_context(beta.schema):
        admin = AdminFactory.create()
    return sign_in(Client(HTTP_HOST=beta.host), beta, admin)


def test_another_workspaces_deal_probability_is_a_404(crm, admin, beta) -> None:
    deal = DealFactory.create(owner=admin)
    client = _beta_admin_client(beta)
    assert client.get(f"/insights/probability/deal/{deal.pk}/").status_code == 404


def test_the_look_after_card_lists_nothing_of_another_workspace(crm, admin, beta) -> None:
    value_row(CompanyFactory.create(owner=admin, name="Alpha Slipping"), segment="at_risk")
    body = _beta_admin_client(beta).get("/insights/customers/look-after/").content.decode()
    assert "Alpha Slipping" not in body
    assert "Nobody to chase this week." in body


def test_the_return_figures_of_one_workspace_are_not_another_workspaces(crm, admin, beta) -> None:
    """Alpha's hourly figures count alpha's activity; beta's page counts beta's (none)."""
    ActivityFactory.create(owner=admin)
    return_figures_job()
    with schema_context(beta.schema):
        from onboarding.returns import return_figures

        assert return_figures().weeks[-1].activities_logged == 0
    body = _beta_admin_client(beta).get("/insights/return/").content.decode()
    assert 'data-testid="adoption-freshness"' not in body
