"""The deal board: columns of a pipeline with their cards and totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Prefetch,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from crm.models import Deal, Pipeline, Stage, Tag

#: Cards rendered per column; the column header still counts and sums every deal.
CARDS_PER_COLUMN = 25


@dataclass(frozen=True)
class Column:
    stage: Stage
    deals: list[Deal]
    count: int
    total: Decimal
    weighted: Decimal

    @property
    def hidden(self) -> int:
        return max(0, self.count - len(self.deals))


def weighted_amount_expression() -> ExpressionWrapper:
    probability = Coalesce("probability", "stage__probability")
    return ExpressionWrapper(
        F("amount") * probability / Value(100),
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )


def stage_totals(deals: Any) -> dict[int, dict[str, Any]]:
    """Count, sum and probability-weighted sum of ``deals`` per stage id (one query)."""
    rows = (
        deals.order_by()
        .values("stage_id")
        .annotate(
            count=Count("id"),
            total=Sum("amount"),
            weighted=Sum(weighted_amount_expression()),
        )
    )
    return {row["stage_id"]: row for row in rows}


def board_deals(*, pipeline: Pipeline, user: Any, owner: Any = None, tag: Tag | None = None) -> Any:
    """The deals of ``pipeline`` the user sees, with the board's quick filters applied."""
    deals = Deal.objects.visible_to(user).filter(pipeline=pipeline)
    if owner is not None:
        deals = deals.filter(owner=owner)
    if tag is not None:
        deals = deals.filter(tags=tag)
    return deals


def board_columns(
    *,
    pipeline: Pipeline,
    user: Any,
    owner: Any = None,
    tag: Tag | None = None,
    per_column: int = CARDS_PER_COLUMN,
) -> list[Column]:
    """Every stage of ``pipeline`` with its first cards and its totals: four queries."""
    stages = list(pipeline.stages.order_by("position", "id"))
    deals = board_deals(pipeline=pipeline, user=user, owner=owner, tag=tag)
    totals = stage_totals(deals)
    cards_query = deals.select_related("company", "owner", "stage")
    columns = [
        cards_query.filter(stage=stage).order_by("position", "id")[:per_column] for stage in stages
    ]
    cards: list[Deal] = []
    if columns:
        # One UNION ALL of per-column "first N by position" queries: each walks the
        # (stage, position, id) index instead of ranking every deal of the pipeline.
        combined = columns[0].union(*columns[1:], all=True) if len(columns) > 1 else columns[0]
        cards = list(combined)
        prefetch_related_objects(cards, Prefetch("tags", queryset=Tag.objects.order_by("name")))
        cards.sort(key=lambda deal: (deal.position, deal.pk))
    by_stage: dict[int, list[Deal]] = {stage.pk: [] for stage in stages}
    for deal in cards:
        by_stage.setdefault(deal.stage_id, []).append(deal)
    return [
        Column(
            stage=stage,
            deals=by_stage[stage.pk],
            count=totals.get(stage.pk, {}).get("count", 0),
            total=totals.get(stage.pk, {}).get("total") or Decimal(0),
            weighted=totals.get(stage.pk, {}).get("weighted") or Decimal(0),
        )
        for stage in stages
    ]
