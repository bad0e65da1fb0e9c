"""The board: one grouped totals query, a capped number of cards, "show more" per column."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Deal
from crm.selectors.board import CARDS_PER_COLUMN, board_columns, stage_totals
from tests.crm.factories import DealFactory, default_pipeline, stage_named


def test_totals_weight_by_the_deal_probability_or_the_stage_default(crm, admin) -> None:
    proposal = stage_named("Proposal")
    DealFactory.create(owner=admin, stage=proposal, amount=Decimal(1000), probability=10)
    DealFactory.create(owner=admin, stage=proposal, amount=Decimal(2000), probability=None)
    totals = stage_totals(Deal.objects.all(), [proposal])[proposal.pk]
    expected = Decimal(100) + Decimal(2000) * proposal.probability / 100
    assert (totals["count"], totals["total"].total, totals["weighted"].total) == (
        2,
        Decimal(3000),
        expected,
    )


def test_totals_are_one_query_without_joining_stages(crm, admin) -> None:
    DealFactory.create(owner=admin)
    pipeline = default_pipeline()
    stages = list(pipeline.stages.all())
    with CaptureQueriesContext(connection) as queries:
        stage_totals(Deal.objects.filter(pipeline=pipeline), stages)
    assert len(queries.captured_queries) == 1
    assert "crm_stage" not in queries.captured_queries[0]["sql"]


def test_a_column_shows_a_capped_number_of_cards_and_counts_them_all(crm, admin) -> None:
    proposal = stage_named("Proposal")
    for _ in range(CARDS_PER_COLUMN + 3):
        DealFactory.create(owner=admin, stage=proposal)
    column = next(
        c
        for c in board_columns(pipeline=default_pipeline(), user=admin)
        if c.stage.pk == proposal.pk
    )
    assert (len(column.deals), column.count, column.hidden) == (CARDS_PER_COLUMN, 13, 3)


def test_show_more_returns_the_next_cards_of_the_column(crm, admin, client_as) -> None:
    proposal = stage_named("Proposal")
    deals = [DealFactory.create(owner=admin, stage=proposal) for _ in range(CARDS_PER_COLUMN + 3)]
    last_shown = deals[CARDS_PER_COLUMN - 1]
    board = client_as(admin).get("/deals/").content.decode()
    assert f"/deals/stages/{proposal.pk}/cards/?after={last_shown.pk}" in board
    response = client_as(admin).get(
        f"/deals/stages/{proposal.pk}/cards/?after={last_shown.pk}&left=3", HTTP_HX_REQUEST="true"
    )
    shown = [int(pk) for pk in re.findall(r'data-deal="(\d+)"', response.text)]
    assert shown == [d.pk for d in deals[CARDS_PER_COLUMN:]]
    assert 'hx-swap-oob="true"' in response.text
    assert 'data-testid="column-more"' not in response.text


def test_show_more_only_shows_the_reps_own_deals(crm, rep, other_rep, client_as) -> None:
    proposal = stage_named("Proposal")
    mine = DealFactory.create(owner=rep, stage=proposal, position=1)
    DealFactory.create(owner=other_rep, stage=proposal, position=2, title="Not yours")
    response = client_as(rep).get(f"/deals/stages/{proposal.pk}/cards/?after={mine.pk}")
    assert response.status_code == 200
    assert "Not yours" not in response.text


def test_show_more_after_a_deal_the_rep_cannot_see_is_404(crm, rep, other_rep, client_as) -> None:
    proposal = stage_named("Proposal")
    hidden = DealFactory.create(owner=other_rep, stage=proposal)
    response = client_as(rep).get(f"/deals/stages/{proposal.pk}/cards/?after={hidden.pk}")
    assert response.status_code == 404
