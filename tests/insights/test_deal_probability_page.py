"""The win probability on the deal page: the list's own number, factors and disagreement."""

from __future__ import annotations

from crm.insights.selectors.probability import deal_chance, probability_list
from tests.crm.conftest import fresh
from tests.crm.factories import DealFactory, stage_named
from tests.insights.test_probability import _closed, _scope


def test_the_deal_page_loads_the_win_probability(crm, admin, manager, client_as) -> None:
    deal = DealFactory.create(owner=manager, stage=stage_named("Proposal"))
    body = client_as(admin).get(f"/deals/{deal.pk}/").content.decode()
    assert f"/insights/probability/deal/{deal.pk}/" in body


def test_number_factors_and_disagreement_in_words(crm, admin, manager, rep, client_as) -> None:
    """As on the list (test_probability): the rep's Proposal deal is 33 %, the owner factor
    takes 17 points off, and 80 % set by hand disagrees."""
    _closed(manager, won=15, lost=5)
    _closed(rep, won=5, lost=15)
    deal = DealFactory.create(owner=rep, stage=stage_named("Proposal"), probability=80)
    body = client_as(admin).get(f"/insights/probability/deal/{deal.pk}/").content.decode()
    assert 'data-testid="win-probability-number">33 %' in body
    assert "stage Proposal 50 %" in body
    assert f"{rep} wins 33 %" in body
    assert "\u221217 %" in body  # the typographic minus of the explanations
    assert 'data-testid="win-probability-disagrees"' in body


def test_the_deal_page_and_the_list_compute_the_same(crm, admin, manager, rep) -> None:
    _closed(manager, won=15, lost=5)
    _closed(rep, won=5, lost=15)
    deal = DealFactory.create(owner=manager, stage=stage_named("Proposal"), probability=60)
    listed = {c.deal.pk: c for c in probability_list(_scope(admin)).chances}[deal.pk]
    single = deal_chance(fresh(admin), deal.pk)
    assert single is not None
    assert (single.probability, single.explanation, single.disagrees) == (
        listed.probability,
        listed.explanation,
        listed.disagrees,
    )


def test_not_enough_data_says_so(crm, admin, manager, client_as) -> None:
    deal = DealFactory.create(owner=manager, stage=stage_named("Proposal"), probability=90)
    body = client_as(admin).get(f"/insights/probability/deal/{deal.pk}/").content.decode()
    assert 'data-testid="win-probability-number">50 %' in body
    assert 'data-testid="win-probability-not-enough"' in body
    assert 'data-testid="win-probability-disagrees"' not in body


def test_a_closed_deal_has_no_estimate(crm, admin, client_as) -> None:
    deal = DealFactory.create(owner=admin, stage=stage_named("Won"))
    body = client_as(admin).get(f"/insights/probability/deal/{deal.pk}/").content.decode()
    assert 'data-testid="win-probability-closed"' in body


def test_a_deal_the_user_may_not_see_is_a_404(crm, manager, rep, client_as) -> None:
    deal = DealFactory.create(owner=manager, stage=stage_named("Proposal"))
    assert client_as(rep).get(f"/insights/probability/deal/{deal.pk}/").status_code == 404


def test_the_fragment_stays_within_the_query_budget(
    crm, admin, manager, rep, client_as, django_assert_max_num_queries
) -> None:
    _closed(manager, won=15, lost=5)
    _closed(rep, won=5, lost=15)
    deal = DealFactory.create(owner=rep, stage=stage_named("Proposal"))
    client = client_as(admin)
    client.get("/")
    with django_assert_max_num_queries(15):
        assert client.get(f"/insights/probability/deal/{deal.pk}/").status_code == 200
