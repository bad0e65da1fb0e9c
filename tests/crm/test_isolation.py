"""A record of alpha is never reachable from beta: not by id, not in lists, not by search."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tests.conftest import sign_in
from tests.crm.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
)
from tests.factories import AdminFactory

SECRET = "Zanzibar"


@pytest.fixture
def alpha_records(alpha):
    with schema_context(alpha.schema):
        owner = AdminFactory.create()
        company = CompanyFactory.create(owner=owner, name=f"{SECRET} Holdings")
        return {
            "contacts": ContactFactory.create(owner=owner, last_name=SECRET),
            "companies": company,
            "leads": LeadFactory.create(owner=owner, name=f"{SECRET} Lead"),
            "deals": DealFactory.create(owner=owner, title=f"{SECRET} Deal", company=company),
            "activities": ActivityFactory.create(owner=owner, subject=f"{SECRET} call"),
        }


@pytest.fixture
def beta_admin_client(beta, beta_client):
    with schema_context(beta.schema):
        admin = AdminFactory.create()
    return sign_in(beta_client, beta, admin)


@pytest.mark.parametrize("prefix", ["contacts", "companies", "leads", "deals"])
def test_alpha_detail_pages_are_404_on_beta(alpha_records, beta_admin_client, prefix) -> None:
    record = alpha_records[prefix]
    assert beta_admin_client.get(f"/{prefix}/{record.pk}/").status_code == 404
    assert beta_admin_client.get(f"/{prefix}/{record.pk}/edit/").status_code == 404


def test_alpha_activity_is_404_on_beta(alpha_records, beta_admin_client) -> None:
    activity = alpha_records["activities"]
    assert beta_admin_client.get(f"/activities/{activity.pk}/").status_code == 404
    assert beta_admin_client.post(f"/activities/{activity.pk}/complete/").status_code == 404


def test_alpha_deal_cannot_be_moved_from_beta(alpha_records, beta_admin_client) -> None:
    response = beta_admin_client.post(f"/deals/{alpha_records['deals'].pk}/move/", {"stage": 1})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/contacts/",
        "/companies/",
        "/leads/",
        "/deals/",
        "/deals/list/",
        "/activities/",
        "/",
        "/settings/audit/",
    ],
)
def test_alpha_records_are_never_listed_on_beta(alpha_records, beta_admin_client, url) -> None:
    response = beta_admin_client.get(url)
    assert response.status_code == 200
    assert SECRET.encode() not in response.content


def test_alpha_records_are_never_found_by_search_on_beta(alpha_records, beta_admin_client) -> None:
    response = beta_admin_client.get(f"/search/?q={SECRET}")
    assert b"data-search-result" not in response.content
    lookup = beta_admin_client.get(f"/lookup/companies/?q={SECRET}").json()
    assert lookup["results"] == []


def test_bulk_delete_on_beta_cannot_reach_alpha_ids(
    alpha, alpha_records, beta_admin_client
) -> None:
    from crm.models import Lead

    beta_admin_client.post(
        "/leads/bulk/", {"action": "delete", "confirmed": "1", "ids": [alpha_records["leads"].pk]}
    )
    with schema_context(alpha.schema):
        assert Lead.objects.filter(pk=alpha_records["leads"].pk).exists()


def test_alpha_deal_contact_cannot_be_removed_from_beta(alpha, alpha_records, beta_admin_client):
    from crm.models import DealContact

    with schema_context(alpha.schema):
        link = DealContact.objects.create(
            deal=alpha_records["deals"], contact=alpha_records["contacts"]
        )
    response = beta_admin_client.post(f"/deals/contacts/{link.pk}/remove/")
    assert response.status_code == 404
    with schema_context(alpha.schema):
        assert DealContact.objects.filter(pk=link.pk).exists()
