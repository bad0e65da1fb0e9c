"""A customer's won value per quarter over two years (value panel of company/contact pages).

Fixed "today" 15 August 2026 → quarters 2024 Q4 … 2026 Q3. The company won 1000 EUR on
10 July 2026 and 500 EUR on 1 August 2026 (2026 Q3: 2 deals, 1500), 100 USD at 0.90 on
3 February 2025 (2025 Q1: 90); a win of March 2024 is older than two years and a lost deal
does not count.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from crm.insights.selectors.trend import customer_trend
from crm.models import Deal, DealContact, ExchangeRate
from tests.crm.conftest import fresh
from tests.crm.factories import CompanyFactory, ContactFactory, DealFactory, stage_named
from tests.insights.values import value_row

TODAY = datetime.date(2026, 8, 15)
UTC = datetime.UTC


def _won(company, owner, amount: str, day: datetime.date, *, currency: str = "EUR", stage="Won"):
    deal = DealFactory.create(
        owner=owner,
        company=company,
        stage=stage_named(stage),
        amount=Decimal(amount),
        currency=currency,
    )
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=UTC)
    Deal.objects.filter(pk=deal.pk).update(**{"won_at" if stage == "Won" else "lost_at": moment})
    return deal


def _history(owner, company) -> list[Deal]:
    ExchangeRate.objects.create(
        currency="USD",
        base_currency="EUR",
        rate=Decimal("0.90"),
        valid_from=timezone.localdate() - datetime.timedelta(days=3000),
    )
    return [
        _won(company, owner, "1000", datetime.date(2026, 7, 10)),
        _won(company, owner, "500", datetime.date(2026, 8, 1)),
        _won(company, owner, "100", datetime.date(2025, 2, 3), currency="USD"),
        _won(company, owner, "999", datetime.date(2024, 3, 1)),
        _won(company, owner, "777", datetime.date(2026, 7, 5), stage="Lost"),
    ]


def test_won_value_per_quarter_in_the_base_currency(crm, admin) -> None:
    company = CompanyFactory.create(owner=admin)
    _history(admin, company)
    trend = customer_trend(fresh(admin), kind="company", record_id=company.pk, today=TODAY)
    table = [(q.label, q.won, q.value) for q in trend.quarters]
    assert [label for label, _won, _value in table] == [
        "2024 Q4", "2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3",
    ]  # fmt: skip
    assert table[1] == ("2025 Q1", 1, Decimal("90.00"))
    assert table[-1] == ("2026 Q3", 2, Decimal("1500.00"))
    assert sum(won for _label, won, _value in table) == 3
    assert (trend.base, trend.total) == ("EUR", Decimal("1590.00"))


def test_bars_are_scaled_to_the_best_quarter(crm, admin) -> None:
    """1500 is the full 32-unit bar; 90 is round(32 × 90 / 1500) = 2."""
    company = CompanyFactory.create(owner=admin)
    _history(admin, company)
    trend = customer_trend(fresh(admin), kind="company", record_id=company.pk, today=TODAY)
    assert [q.height for q in trend.quarters] == [0, 2, 0, 0, 0, 0, 0, 32]


def test_a_contact_trend_counts_the_deals_they_are_on(crm, admin) -> None:
    company = CompanyFactory.create(owner=admin)
    deals = _history(admin, company)
    contact = ContactFactory.create(owner=admin)
    DealContact.objects.create(deal=deals[0], contact=contact)
    trend = customer_trend(fresh(admin), kind="contact", record_id=contact.pk, today=TODAY)
    assert [(q.won, q.value) for q in trend.quarters if q.won] == [(1, Decimal("1000.00"))]


def test_the_trend_counts_only_the_deals_the_viewer_may_see(crm, admin, rep) -> None:
    company = CompanyFactory.create(owner=rep)
    _won(company, rep, "300", datetime.date(2026, 7, 10))
    _won(company, admin, "700", datetime.date(2026, 7, 11))
    trend = customer_trend(fresh(rep), kind="company", record_id=company.pk, today=TODAY)
    assert trend.total == Decimal("300.00")


def test_the_value_panel_shows_the_trend_and_projection(
    crm, admin, client_as, django_assert_max_num_queries
) -> None:
    company = CompanyFactory.create(owner=admin)
    _won(company, admin, "1000", timezone.localdate() - datetime.timedelta(days=20))
    value_row(company, segment="champions", monetary="1000")
    client = client_as(admin)
    client.get("/")  # the session's first request loads what every page needs
    with django_assert_max_num_queries(15):
        body = client.get(f"/insights/customers/company/{company.pk}/value/").content.decode()
    assert 'data-testid="customer-trend"' in body
    assert 'data-testid="customer-trend-table"' in body
    assert "Projected next 12 months" in body
    assert 'role="img"' in body


def test_the_panel_shows_a_trend_before_the_values_are_computed(crm, admin, client_as) -> None:
    company = CompanyFactory.create(owner=admin)
    _won(company, admin, "1000", timezone.localdate() - datetime.timedelta(days=20))
    body = client_as(admin).get(f"/insights/customers/company/{company.pk}/value/").content
    assert b'data-testid="customer-trend"' in body


def test_the_panel_is_translated(crm, admin, client_as) -> None:
    company = CompanyFactory.create(owner=admin)
    _won(company, admin, "1000", timezone.localdate() - datetime.timedelta(days=20))
    client = client_as(admin)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = client.get(f"/insights/customers/company/{company.pk}/value/").content.decode()
    assert "近两年每季度赢单金额" in body
    assert "Won per quarter" not in body
