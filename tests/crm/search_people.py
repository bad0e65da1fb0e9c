"""The people, companies, leads and deals the search tests look for, written by the services.

Names cover what customers type: e-mail addresses and their domains, phone numbers in
national and international forms, web domains, Latin names, and Chinese names in simplified
and traditional characters, family name first or as one full name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from crm import services
from tenants.users.models import Role
from tests.conftest import Workspace, sign_in
from tests.factories import UserFactory


@dataclass(frozen=True)
class People:
    """The records by a short handle, and the user who made them."""

    admin: Any
    records: dict[str, Any]

    def __getitem__(self, handle: str) -> Any:
        return self.records[handle]


def make_people(workspace: Workspace) -> People:
    """Write the search tests' records into ``workspace`` through the record services."""
    with schema_context(workspace.schema):
        admin = UserFactory.create(role=Role.ADMIN, full_name="Sasha Search")

        def contact(**fields: Any) -> Any:
            return services.contact_create(by=admin, fields=fields)

        records = {
            "tom": contact(
                first_name="Tom",
                last_name="Baker",
                email="tom@bakerbakeries.example.com",
                phone="+44 20 7946 0958",
            ),
            "liwei": contact(
                first_name="伟",
                last_name="李",
                email="li.wei@jadegarden.cn",
                mobile="+86 138 0013 8000",
            ),
            "zhangwei": contact(last_name="張偉", phone="010-6552 9988"),
            "chen": contact(last_name="陳大文", email="dawen@harbour.example.hk"),
            "anna": contact(first_name="Anna", last_name="Schmidt", email="anna@schmidt.example"),
            "mary": contact(first_name="Mary", last_name="Smith", extra_phones=["0151 2345 6789"]),
            "jade": services.company_create(
                by=admin,
                fields={"name": "Jade Garden 翡翠園", "domain": "https://www.jadegarden.cn/"},
            ),
            "huawei": services.company_create(
                by=admin, fields={"name": "華為技術", "phone": "+86 755 2878 0808"}
            ),
            "bakery": services.company_create(
                by=admin, fields={"name": "Baker Bakeries", "domain": "bakerbakeries.example.com"}
            ),
            "lead": services.lead_create(
                by=admin,
                fields={
                    "name": "王小明",
                    "company_name": "Wang Trading",
                    "email": "xiaoming@wangtrading.example",
                    "phone": "+86 21 5555 0123",
                },
            ),
            "deal": services.deal_create(by=admin, fields={"title": "陳大文 renewal 2025"}),
            "schmidt_deal": services.deal_create(by=admin, fields={"title": "Schmidt fit-out"}),
        }
    return People(admin=admin, records=records)


@pytest.fixture
def people(alpha: Workspace) -> People:
    return make_people(alpha)


@pytest.fixture
def searcher(alpha: Workspace, people: People) -> Client:
    """A client on alpha's host, signed in as the admin who made the records."""
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, people.admin)
    client.defaults["HTTP_HX_REQUEST"] = "true"
    return client
