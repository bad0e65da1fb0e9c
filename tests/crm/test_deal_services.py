"""Deals: creation in the first open stage, moves with stage history, board positions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm import services
from crm.errors import CrmError
from crm.models import AuditAction, AuditEntry, Pipeline, StageTransition
from tests.crm.factories import DealFactory, stage_named


def test_every_workspace_has_the_default_sales_pipeline(crm) -> None:
    pipeline = Pipeline.objects.get(name="Sales")
    stages = list(pipeline.stages.order_by("position").values_list("name", "probability", "kind"))
    assert stages == [
        ("Qualified", 10, "open"),
        ("Contact made", 20, "open"),
        ("Proposal", 50, "open"),
        ("Negotiation", 75, "open"),
        ("Won", 100, "won"),
        ("Lost", 0, "lost"),
    ]


def test_deal_create_starts_in_the_first_open_stage_with_a_transition(rep) -> None:
    deal = services.deal_create(by=rep, fields={"title": "Big one", "amount": Decimal(500)})
    assert deal.stage.name == "Qualified"
    transition = StageTransition.objects.get(deal=deal)
    assert transition.from_stage is None
    assert transition.to_stage == deal.stage
    assert transition.amount == Decimal(500)


def test_new_deals_go_on_top_of_their_column(rep) -> None:
    first = services.deal_create(by=rep, fields={"title": "First"})
    second = services.deal_create(by=rep, fields={"title": "Second"})
    assert second.position < first.position


def test_move_to_another_stage_records_the_transition(rep) -> None:
    deal = DealFactory.create(owner=rep, amount=Decimal(750))
    proposal = stage_named("Proposal")
    services.deal_move(deal=deal, stage=proposal, by=rep)
    transition = StageTransition.objects.filter(deal=deal).latest("moved_at")
    assert transition.from_stage is not None
    assert transition.to_stage is not None
    assert (transition.from_stage.name, transition.to_stage.name) == ("Qualified", "Proposal")
    assert transition.moved_by == rep
    assert transition.amount == Decimal(750)


def test_move_writes_an_audit_entry_with_the_stage_names(rep) -> None:
    deal = DealFactory.create(owner=rep)
    services.deal_move(deal=deal, stage=stage_named("Proposal"), by=rep)
    entry = AuditEntry.objects.get(object_id=deal.pk, action=AuditAction.MOVE)
    assert entry.changes == {"stage": ["Qualified", "Proposal"]}


def test_moving_into_won_sets_the_won_date(rep) -> None:
    deal = DealFactory.create(owner=rep)
    deal = services.deal_move(deal=deal, stage=stage_named("Won"), by=rep)
    assert deal.won_at is not None
    assert deal.lost_at is None


def test_moving_into_lost_keeps_the_reason(rep) -> None:
    deal = DealFactory.create(owner=rep)
    deal = services.deal_move(deal=deal, stage=stage_named("Lost"), by=rep, lost_reason="Price")
    assert deal.lost_at is not None
    assert deal.lost_reason == "Price"


def test_reopening_a_won_deal_clears_the_won_date(rep) -> None:
    deal = services.deal_move(deal=DealFactory.create(owner=rep), stage=stage_named("Won"), by=rep)
    deal = services.deal_move(deal=deal, stage=stage_named("Proposal"), by=rep)
    assert deal.won_at is None


def test_reordering_within_a_stage_stores_no_transition(rep) -> None:
    stage = stage_named("Qualified")
    top = DealFactory.create(owner=rep, stage=stage, position=0)
    bottom = DealFactory.create(owner=rep, stage=stage, position=1)
    services.deal_move(deal=top, stage=stage, by=rep, above=bottom)
    top.refresh_from_db()
    assert top.position > bottom.position
    assert not StageTransition.objects.filter(deal=top).exists()


def test_move_between_two_cards_lands_between_them(rep) -> None:
    proposal = stage_named("Proposal")
    above = DealFactory.create(owner=rep, stage=proposal, position=1)
    below = DealFactory.create(owner=rep, stage=proposal, position=2)
    deal = services.deal_move(
        deal=DealFactory.create(owner=rep), stage=proposal, by=rep, above=above, below=below
    )
    assert above.position < deal.position < below.position


def test_repeated_moves_into_one_gap_keep_the_order(rep) -> None:
    stage = stage_named("Proposal")
    above = DealFactory.create(owner=rep, stage=stage, position=0)
    below = DealFactory.create(owner=rep, stage=stage, position=1)
    for _ in range(60):
        moved = services.deal_move(
            deal=DealFactory.create(owner=rep), stage=stage, by=rep, above=above, below=below
        )
        below = moved
    ordered = list(stage.deals.order_by("position", "id").values_list("pk", flat=True))
    assert ordered[0] == above.pk
    assert ordered[1] == below.pk


def test_a_deal_cannot_move_to_another_pipelines_stage(rep, admin) -> None:
    other = services.pipeline_create(name="Renewals", by=admin)
    with pytest.raises(CrmError):
        services.deal_move(
            deal=DealFactory.create(owner=rep), stage=other.stages.get(name="Won"), by=rep
        )


def test_read_only_user_cannot_move_a_deal(rep, reader) -> None:
    deal = DealFactory.create(owner=rep)
    with pytest.raises(CrmError):
        services.deal_move(deal=deal, stage=stage_named("Won"), by=reader)


def test_effective_probability_is_the_stage_default_unless_overridden(rep) -> None:
    deal = DealFactory.create(owner=rep, stage=stage_named("Proposal"))
    assert deal.effective_probability == 50
    deal.probability = 80
    assert deal.effective_probability == 80
