"""The home dashboard's "customers to look after this week" card, per owner."""

from __future__ import annotations

from tests.crm.factories import CompanyFactory, ContactFactory
from tests.insights.values import value_row


def test_the_home_dashboard_loads_the_card(crm, rep, client_as) -> None:
    body = client_as(rep).get("/").content.decode()
    assert "/insights/customers/look-after/" in body


def test_the_card_lists_the_users_own_customers_to_look_after(
    crm, admin, rep, client_as, django_assert_max_num_queries
) -> None:
    value_row(CompanyFactory.create(owner=rep, name="Slipping Ltd"), segment="loyal", at_risk=True)
    value_row(ContactFactory.create(owner=rep, full_name="Cooling Chen"), segment="at_risk")
    value_row(CompanyFactory.create(owner=rep, name="Happy Ltd"), segment="champions")
    value_row(CompanyFactory.create(owner=admin, name="Admins Ltd"), segment="at_risk")
    client = client_as(rep)
    client.get("/")
    with django_assert_max_num_queries(10):
        body = client.get("/insights/customers/look-after/").content.decode()
    assert "Slipping Ltd" in body
    assert "Cooling Chen" in body
    assert "At risk: no order in" in body
    assert "Happy Ltd" not in body
    assert "Admins Ltd" not in body


def test_the_card_says_when_nobody_needs_chasing(crm, rep, client_as) -> None:
    body = client_as(rep).get("/insights/customers/look-after/").content.decode()
    assert "Nobody to chase this week." in body
