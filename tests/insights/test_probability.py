"""Win probability: the "not enough data" case, the stage blend, factors in words, and
manual figures that disagree — against counts worked out by hand."""

from __future__ import annotations

import datetime

from django.utils import timezone

from crm.insights.selectors.probability import MIN_CLOSED, probability_list
from crm.insights.selectors.scope import Scope
from crm.models import Pipeline
from tests.crm.conftest import fresh
from tests.crm.factories import DealFactory, stage_named
from tests.insights.history import make_deal


def _scope(user, **kwargs) -> Scope:
    today = timezone.localdate()
    return Scope(
        user=fresh(user),
        start=today - datetime.timedelta(days=89),
        end=today,
        pipeline=Pipeline.objects.order_by("position", "id").first(),
        **kwargs,
    )


def _closed(owner, *, won: int, lost: int) -> None:
    """Deals created 15 days ago, in Proposal from 10 days ago, closed 5 days ago."""
    now = timezone.now()
    for index in range(won + lost):
        outcome = "Won" if index < won else "Lost"
        make_deal(
            f"{owner.pk}-{index}",
            owner=owner,
            stage=outcome,
            amount="1000",
            now=now,
            created=15,
            closed=5,
            path=[("Qualified", 15), ("Proposal", 10), (outcome, 5)],
        )


def test_not_enough_data_shows_the_stage_figure(crm, admin, manager) -> None:
    """Three closed deals are not evidence: a Proposal deal shows the stage's 50 %."""
    _closed(manager, won=2, lost=1)
    DealFactory.create(owner=manager, stage=stage_named("Proposal"))
    result = probability_list(_scope(admin))
    assert not result.evidence.enough
    assert (result.evidence.closed, MIN_CLOSED) == (3, 30)
    [chance] = result.chances
    assert (chance.probability, chance.factors, chance.enough_data) == (50, [], False)
    assert chance.explanation == "50 %: stage Proposal 50 %"


def test_the_owner_factor_moves_the_stage_figure(crm, admin, manager, rep) -> None:
    """40 closed deals, 20 won, all through Proposal: the stage blends to (20 + 10 × 50 %) /
    (40 + 10) = 50 %. Every band is the same for all but the owner: the manager won 15 of 20
    → (15 + 5) / 30 = 66.7 %, log-odds + ln 2 → 67 %, +17 points; the rep won 5 of 20 → 33 %."""
    _closed(manager, won=15, lost=5)
    _closed(rep, won=5, lost=15)
    mine = DealFactory.create(owner=manager, stage=stage_named("Proposal"), probability=60)
    theirs = DealFactory.create(owner=rep, stage=stage_named("Proposal"), probability=80)
    result = probability_list(_scope(admin))
    assert result.evidence.enough
    chances = {chance.deal.pk: chance for chance in result.chances}
    assert chances[mine.pk].probability == 67
    assert chances[mine.pk].explanation == (f"67 %: stage Proposal 50 %; {manager} wins 67 % +17 %")
    assert chances[theirs.pk].probability == 33
    assert chances[theirs.pk].factors[0].points == -17


def test_a_manual_probability_far_from_the_evidence_is_flagged(crm, admin, manager, rep) -> None:
    """80 % set by hand against 33 % computed disagrees; 60 % against 67 % does not."""
    _closed(manager, won=15, lost=5)
    _closed(rep, won=5, lost=15)
    mine = DealFactory.create(owner=manager, stage=stage_named("Proposal"), probability=60)
    theirs = DealFactory.create(owner=rep, stage=stage_named("Proposal"), probability=80)
    chances = {c.deal.pk: c for c in probability_list(_scope(admin)).chances}
    assert (chances[mine.pk].disagrees, chances[theirs.pk].disagrees) == (False, True)


def test_a_rep_lists_only_own_open_deals(crm, manager, rep) -> None:
    DealFactory.create(owner=manager, stage=stage_named("Proposal"))
    own = DealFactory.create(owner=rep, stage=stage_named("Proposal"))
    assert [c.deal.pk for c in probability_list(_scope(rep)).chances] == [own.pk]


def test_the_page_explains_and_says_when_data_is_missing(crm, manager, client_as) -> None:
    DealFactory.create(owner=manager, stage=stage_named("Proposal"))
    body = client_as(manager).get("/insights/probability/").content.decode()
    assert 'data-testid="not-enough-data"' in body
    assert "stage Proposal 50 %" in body


def test_the_job_stores_the_evidence_and_the_page_uses_it(crm, admin, manager, rep) -> None:
    """The hourly job precomputes the evidence; the page reads it (no live computation) and
    the figures are the same as computed live (67 % / 33 %, see above)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.jobs.registry import handler_get
    from crm.insights.models import Snapshot

    _closed(manager, won=15, lost=5)
    _closed(rep, won=5, lost=15)
    mine = DealFactory.create(owner=manager, stage=stage_named("Proposal"))
    theirs = DealFactory.create(owner=rep, stage=stage_named("Proposal"))
    handler_get("insights.customer_values_refresh").func()
    snapshot = Snapshot.objects.get(key__startswith="evidence:")
    assert snapshot.data["closed"] == 40
    with CaptureQueriesContext(connection) as queries:
        result = probability_list(_scope(admin))
    assert result.evidence.computed_at == snapshot.computed_at
    assert not any("crm_stagetransition" in q["sql"] for q in queries.captured_queries)
    chances = {chance.deal.pk: chance for chance in result.chances}
    assert (chances[mine.pk].probability, chances[theirs.pk].probability) == (67, 33)
    assert chances[mine.pk].explanation == (f"67 %: stage Proposal 50 %; {manager} wins 67 % +17 %")


def test_a_rep_still_sees_only_own_deals_with_the_precomputed_evidence(
    crm, manager, rep, client_as
) -> None:
    from crm.insights.selectors.probability import evidence_precompute

    _closed(manager, won=15, lost=5)
    _closed(rep, won=5, lost=15)
    DealFactory.create(owner=manager, stage=stage_named("Proposal"), title="Managers open deal")
    own = DealFactory.create(owner=rep, stage=stage_named("Proposal"), title="Reps open deal")
    evidence_precompute()
    assert [c.deal.pk for c in probability_list(_scope(rep)).chances] == [own.pk]
    body = client_as(rep).get("/insights/probability/").content.decode()
    assert "Reps open deal" in body
    assert "Managers open deal" not in body


def test_the_page_says_when_the_precomputed_evidence_was_computed(
    crm, admin, manager, rep, client_as
) -> None:
    from crm.insights.selectors.probability import evidence_precompute

    _closed(manager, won=15, lost=5)
    _closed(rep, won=5, lost=15)
    evidence_precompute(now=timezone.now() - datetime.timedelta(minutes=20))
    body = client_as(admin).get("/insights/probability/").content.decode()
    assert "computed 20\xa0minutes ago" in body


def test_a_stale_or_other_rates_snapshot_is_not_used(crm, admin, manager, rep) -> None:
    """Without a snapshot for the rates in force (or one too old), the page computes live."""
    from crm.insights.models import Snapshot

    _closed(manager, won=15, lost=5)
    _closed(rep, won=5, lost=15)
    Snapshot.objects.create(
        key="evidence:other-rates",
        data={
            "closed": 1,
            "won": 1,
            "stages": [],
            "bands": [],
            "typical_cycle_days": 0,
            "average_won": 0,
        },
        computed_at=timezone.now(),
    )
    assert probability_list(_scope(admin)).evidence.closed == 40
