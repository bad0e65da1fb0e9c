"""Customer value (RFM, lifetime value, flags) against five hand-scored companies.

Company  orders  value (EUR)        last order  first order
A        5       5 × 1000 = 5000    5 days      365 days
B        4       4 × 500  = 2000    50 days     200 days
C        1       100 USD × 1.50=150 10 days     10 days
D        3       3 × 300  = 900     300 days    420 days   (usual gap 60 days)
E        2       2 × 50   = 100     500 days    530 days   (usual gap 30 days)

Quintiles of five customers give each one its own score: R (recent = 5) E1 D2 B3 C4 A5;
F E2 C1 D3 B4 A5; M E1 C2 D3 B4 A5. Segments: A champions (R5, F+M 10); B loyal (R3, 8);
C potential (R4, 3); D at risk (R2, 6); E lost (R1, 3).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context

from core.jobs.registry import handler_get
from crm.insights.customer_value import customer_values_refresh
from crm.insights.models import CustomerValue
from crm.insights.selectors.customers import customer_overview, look_after, risk_text
from crm.models import DealContact, ExchangeRate
from tests.crm.conftest import fresh
from tests.crm.factories import CompanyFactory, ContactFactory
from tests.insights.history import make_deal

PLAN = {
    # name: (orders, amount, currency, last order days ago, first order days ago)
    "A": (5, "1000", "EUR", 5, 365),
    "B": (4, "500", "EUR", 50, 200),
    "C": (1, "100", "USD", 10, 10),
    "D": (3, "300", "EUR", 300, 420),
    "E": (2, "50", "EUR", 500, 530),
}


def _customers(owner, *, rep=None) -> dict[str, Any]:
    now = timezone.now()
    ExchangeRate.objects.create(
        currency="USD", base_currency="EUR", rate=Decimal("1.50"), valid_from=timezone.localdate()
    )
    contact = ContactFactory.create(owner=owner)
    companies: dict[str, Any] = {}
    for name, (orders, amount, currency, last, first) in PLAN.items():
        company = CompanyFactory.create(
            name=f"Customer {name}", owner=rep if name == "C" and rep else owner
        )
        companies[name] = company
        step = (first - last) / (orders - 1) if orders > 1 else 0
        for index in range(orders):
            ago = first - step * index
            deal = make_deal(
                f"{name}{index}",
                owner=owner,
                stage="Won",
                amount=amount,
                currency=currency,
                now=now,
                created=ago + 1,
                closed=ago,
                path=[],
                company=company,
            )
            if name == "A":
                DealContact.objects.create(deal=deal, contact=contact)
    companies["contact"] = contact
    return companies


def _values() -> dict[str, CustomerValue]:
    return {v.name[-1]: v for v in CustomerValue.objects.filter(kind="company")}


def test_rfm_scores_and_segments(crm, admin) -> None:
    _customers(admin)
    assert customer_values_refresh() == 6  # five companies and one contact
    values = _values()
    scores = {name: (v.r_score, v.f_score, v.m_score, v.segment) for name, v in values.items()}
    assert scores == {
        "A": (5, 5, 5, "champions"),
        "B": (3, 4, 4, "loyal"),
        "C": (4, 1, 2, "potential"),
        "D": (2, 3, 3, "at_risk"),
        "E": (1, 2, 1, "lost"),
    }


def test_lifetime_value_projection_and_currency(crm, admin) -> None:
    """A: 5000 to date, 5000 × 365 / 365 a year; D: 900 × 365 / 420 = 782.14; E is lost: 0;
    C's 100 USD count as 150 EUR."""
    _customers(admin)
    customer_values_refresh()
    values = _values()
    assert (values["A"].monetary, values["A"].projected_year) == (
        Decimal("5000.00"),
        Decimal("5000.00"),
    )
    assert values["D"].projected_year == Decimal("782.14")
    assert values["E"].projected_year == Decimal("0.00")
    assert values["C"].monetary == Decimal("150.00")


def test_contacts_get_their_value_from_the_deals_they_are_on(crm, admin) -> None:
    customers = _customers(admin)
    customer_values_refresh()
    contact = CustomerValue.objects.get(kind="contact")
    assert (contact.record_id, contact.orders, contact.monetary) == (
        customers["contact"].pk,
        5,
        Decimal("5000.00"),
    )


def test_top_20_percent_and_their_share(crm, admin) -> None:
    """One customer in five is the top 20 %: A, 5000 of 8150 = 61.3 %."""
    _customers(admin)
    customer_values_refresh()
    overview = customer_overview(fresh(admin))
    assert (overview.customers, overview.top_count, overview.revenue) == (5, 1, Decimal("8150.00"))
    assert overview.top_share == Decimal("61.3")


def test_at_risk_flags_and_wording(crm, admin) -> None:
    """D: 300 days without an order, usually every 60 → at risk; E too (500 vs 30); A, B, C
    not. D reads "no order in 10 months, used to order every 2 months"."""
    _customers(admin)
    customer_values_refresh()
    values = _values()
    assert {name for name, v in values.items() if v.at_risk} == {"D", "E"}
    assert risk_text(values["D"]) == "At risk: no order in 10 months, used to order every 2 months"


def test_customers_to_look_after_per_owner(crm, admin, rep) -> None:
    """The admin's list: D (900) then E (100); the rep owns C only, who is fine."""
    _customers(admin, rep=rep)
    customer_values_refresh()
    assert [v.name for v in look_after(fresh(admin), owner_id=admin.pk, kind="company")] == [
        "Customer D",
        "Customer E",
    ]
    assert look_after(fresh(rep), owner_id=rep.pk, kind="company") == []


def test_a_rep_sees_only_own_customers(crm, admin, rep) -> None:
    _customers(admin, rep=rep)
    customer_values_refresh()
    overview = customer_overview(fresh(rep))
    assert (overview.customers, [v.name for v in overview.top]) == (1, ["Customer C"])


def test_flags_on_record_pages_and_lists(crm, admin, client_as) -> None:
    customers = _customers(admin)
    customer_values_refresh()
    client = client_as(admin)
    page = client.get(f"/companies/{customers['D'].pk}/").content.decode()
    fragment_url = f"/insights/customers/company/{customers['D'].pk}/value/"
    assert fragment_url in page
    fragment = client.get(fragment_url).content.decode()
    assert "no order in 10 months, used to order every 2 months" in fragment
    assert 'data-testid="customer-value"' in fragment
    listing = client.get("/companies/").content.decode()
    assert listing.count('data-testid="customer-at-risk"') == 2


def test_the_page_says_how_fresh_the_figures_are(crm, admin, client_as) -> None:
    _customers(admin)
    customer_values_refresh()
    CustomerValue.objects.update(computed_at=timezone.now() - datetime.timedelta(minutes=12))
    body = client_as(admin).get("/insights/customers/").content.decode()
    assert "Computed 12\xa0minutes ago" in body


def test_refresh_is_a_registered_idempotent_job(crm, admin) -> None:
    """The handler is registered for the periodic dispatch; running twice keeps one row each."""
    _customers(admin)
    handler = handler_get("insights.customer_values_refresh")
    assert handler.tenant
    customer_values_refresh()
    customer_values_refresh()
    assert CustomerValue.objects.count() == 6


def test_customer_values_are_isolated(crm, admin, beta) -> None:
    _customers(admin)
    customer_values_refresh()
    with schema_context(beta.schema):
        assert customer_values_refresh() == 0
        assert not CustomerValue.objects.exists()


def test_the_value_entry_of_a_record_the_user_cannot_see_is_a_404(
    crm, admin, rep, client_as
) -> None:
    customers = _customers(admin)
    customer_values_refresh()
    url = f"/insights/customers/company/{customers['D'].pk}/value/"
    assert client_as(rep).get(url).status_code == 404
    assert client_as(admin).get("/insights/customers/deal/1/value/").status_code == 404
