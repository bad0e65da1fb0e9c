"""N+1 guards: pages with many rows run a fixed, small number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from crm.models import Contact, Tag
from crm.selectors.lists import encode_cursor
from tests.crm.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    CustomFieldFactory,
    DealFactory,
    LeadFactory,
    stage_named,
)
from tests.factories import AdminFactory, UserFactory

#: The issue's budget for any CRM page.
MAX_QUERIES = 15


@pytest.fixture
def busy(alpha):
    """30 rows of each record type, with tags, owners, companies and custom list columns."""
    with schema_context(alpha.schema):
        admin = AdminFactory.create()
        owners = [UserFactory.create() for _ in range(3)]
        tags = [Tag.objects.create(name=f"t{i}") for i in range(3)]
        CustomFieldFactory.create(
            object_type="contact", key="am", field_type="user", show_in_list=True
        )
        company = CompanyFactory.create(owner=admin)
        records = []
        for i in range(30):
            owner = owners[i % 3]
            contact = ContactFactory.create(owner=owner, custom={"am": owner.pk})
            contact.tags.set(tags)
            deal = DealFactory.create(owner=owner, company=company, stage=stage_named("Proposal"))
            deal.tags.set(tags)
            CompanyFactory.create(owner=owner).tags.set(tags)
            LeadFactory.create(owner=owner).tags.set(tags)
            ActivityFactory.create(owner=owner, contact=contact, deal=deal)
            records.append((contact, deal))
        return admin, company, records


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/contacts/",
        "/companies/",
        "/leads/",
        "/deals/list/",
        "/activities/",
        "/deals/",
        "/search/?q=person",
        "/",
        "/settings/audit/",
    ],
)
def test_list_pages_stay_within_the_query_budget(busy, client_as, url) -> None:
    admin, _company, _records = busy
    assert count_queries(client_as(admin), url) <= MAX_QUERIES


def test_contact_list_query_count_does_not_grow_with_rows(busy, client_as, alpha) -> None:
    admin, _company, _records = busy
    client = client_as(admin)
    with schema_context(alpha.schema):
        last_of_first = Contact.objects.order_by("full_name", "id")[24]
    cursor = encode_cursor(last_of_first.full_name, last_of_first.pk)
    few = count_queries(client, f"/contacts/?sort=name&after={cursor}")  # 5 rows on page 2
    many = count_queries(client, "/contacts/?sort=name")  # 25 rows on page 1
    assert many == few


@pytest.mark.parametrize("kind", ["contacts", "deals", "companies"])
def test_detail_pages_with_timelines_stay_within_the_budget(busy, client_as, kind) -> None:
    admin, company, records = busy
    contact, deal = records[0]
    pk = {"contacts": contact.pk, "deals": deal.pk, "companies": company.pk}[kind]
    assert count_queries(client_as(admin), f"/{kind}/{pk}/") <= MAX_QUERIES
