"""The contacts export names each contact's company, and the others they work with now."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.models import Contact, ContactCompany
from crm.selectors.exports import export_rows
from crm.selectors.lists import ordering
from tests.crm.factories import CompanyFactory, ContactFactory


def _rows(client) -> list[dict[str, str]]:
    text = b"".join(client.get("/contacts/export/").streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_has_the_company_and_the_other_current_companies(crm, admin, client_as) -> None:
    contact = ContactFactory.create(owner=admin, last_name="Lee")
    main = CompanyFactory.create(owner=admin, name="Acme")
    side = CompanyFactory.create(owner=admin, name="Side Gig")
    former = CompanyFactory.create(owner=admin, name="Old Job")
    ContactCompany.objects.create(contact=contact, company=main, started_on=date(2024, 5, 1))
    ContactCompany.objects.create(
        contact=contact, company=side, role="consultant", started_on=date(2023, 1, 1)
    )
    ContactCompany.objects.create(
        contact=contact, company=former, ended_on=timezone.localdate() - timedelta(days=1)
    )
    [row] = _rows(client_as(admin))
    assert (row["Company"], row["Other companies"]) == ("Acme", "Side Gig")


def test_a_contact_without_a_company_exports_empty_company_cells(crm, admin, client_as) -> None:
    ContactFactory.create(owner=admin)
    [row] = _rows(client_as(admin))
    assert (row["Company"], row["Other companies"]) == ("", "")


def test_a_company_with_two_roles_is_named_once(crm, admin, client_as) -> None:
    contact = ContactFactory.create(owner=admin)
    company = CompanyFactory.create(owner=admin, name="Acme")
    ContactCompany.objects.create(contact=contact, company=company, role="employee")
    ContactCompany.objects.create(contact=contact, company=company, role="accountant")
    [row] = _rows(client_as(admin))
    assert (row["Company"], row["Other companies"]) == ("Acme", "")


def test_company_names_cost_one_query_per_chunk_not_one_per_contact(crm, admin) -> None:
    def queries_for(count: int) -> int:
        Contact.objects.all().delete()
        for _ in range(count):
            contact = ContactFactory.create(owner=admin)
            ContactCompany.objects.create(
                contact=contact, company=CompanyFactory.create(owner=admin)
            )
        with CaptureQueriesContext(connection) as captured:
            list(
                export_rows(
                    Contact.objects.select_related("owner").prefetch_related("tags"),
                    kind="contact",
                    order=ordering(Contact, "name"),
                    definitions=[],
                )
            )
        return len(captured)

    assert queries_for(2) == queries_for(6)
