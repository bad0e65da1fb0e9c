"""A signup starts its guided start; one workspace's guided start, sample data, searches and
adoption never reach another (alpha and beta are separate schemas)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from crm import services as crm
from crm.models import Deal
from onboarding.models import GuidedStart, KeyUser, UserStart
from onboarding.provisioning import SignupRequest, signup_start
from onboarding.services import sample_data_add, sample_data_remove
from onboarding.signups.models import Journey
from tenants.pool import pool_tenant_create
from tests.conftest import Workspace, sign_in
from tests.factories import AdminFactory


@pytest.mark.django_db
def test_a_signup_starts_the_guided_start_and_its_journey() -> None:
    pool_tenant_create()
    signup = signup_start(
        SignupRequest(
            company_name="Guided Co",
            slug="guided-co",
            admin_name="Gu Ide",
            admin_email="gu@guided.example",
            admin_password="a-long-passphrase",
            language="zh-hans",
            country="CN",
        )
    )
    with schema_context(signup.tenant.schema_name):
        assert GuidedStart.objects.filter(pk=1).exists()
    assert Journey.objects.filter(signup=signup).exists()


@pytest.fixture
def beta_admin_client(beta: Workspace) -> Client:
    with schema_context(beta.schema):
        admin = AdminFactory.create(email="boss@beta.example")
        GuidedStart.objects.create(pk=1)
    return sign_in(Client(HTTP_HOST=beta.host), beta, admin)


def test_one_workspaces_answers_are_not_anothers(
    guided, admin_client, beta, beta_admin_client
) -> None:
    admin_client.post(
        "/start/readiness/",
        {
            "sponsor": "Alpha's owner",
            "departments-TOTAL_FORMS": "1",
            "departments-INITIAL_FORMS": "0",
            "departments-0-department": "Sales",
            "departments-0-email": "ada@alpha.example",
        },
    )
    page = beta_admin_client.get("/coach/").content.decode()
    assert "Alpha&#x27;s owner" not in page
    assert "Alpha's owner" not in page
    assert 'data-rule="no_sponsor"' in page
    with schema_context(beta.schema):
        assert not KeyUser.objects.exists()
        assert GuidedStart.objects.get(pk=1).sponsor == ""


def test_sample_data_of_one_workspace_is_removed_there_only(guided, admin, beta) -> None:
    with schema_context(beta.schema):
        beta_admin = AdminFactory.create(email="boss2@beta.example")
        GuidedStart.objects.create(pk=1)
        sample_data_add(by=beta_admin, language="en")
        beta_deals = Deal.objects.count()
    sample_data_add(by=admin, language="en")
    sample_data_remove(by=admin)
    assert Deal.objects.count() == 0
    with schema_context(beta.schema):
        assert Deal.objects.count() == beta_deals == 5


def test_adoption_lists_only_the_workspaces_own_people(
    guided, admin, rep, beta_admin_client
) -> None:
    page = beta_admin_client.get("/settings/adoption/").content.decode()
    assert rep.email not in page
    assert "boss@beta.example" in page


def test_a_search_counts_in_its_own_workspace(
    guided, rep_client, rep, beta, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        rep_client.get("/search/", {"q": "acme"})
    assert UserStart.objects.get(user=rep).searches == 1
    with schema_context(beta.schema):
        assert not UserStart.objects.exists()


def test_the_first_deal_of_alpha_is_not_betas_first_step(guided, rep, beta_admin_client) -> None:
    crm.deal_create(by=rep, fields={"title": "Alpha's"})
    page = beta_admin_client.get("/start/first-steps/").content.decode()
    assert 'data-testid="first-step-deal" data-done="0"' in page
