"""The deal board: columns of a pipeline with their cards and totals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    Sum,
    prefetch_related_objects,
)

from crm.models import Deal, Pipeline, Stage, Tag
from crm.selectors.money import ConvertedTotal, convert, rates_in_force, workspace_currency

#: Cards rendered per column; the column header still counts and sums every deal, and a
#: "show more" link loads the next cards of that column only.
CARDS_PER_COLUMN = 10


@dataclass(frozen=True)
class Column:
    stage: Stage
    deals: list[Deal]
    count: int
    total: ConvertedTotal
    weighted: ConvertedTotal

    @property
    def hidden(self) -> int:
        return max(0, self.count - len(self.deals))

    @property
    def last(self) -> Deal | None:
        return self.deals[-1] if self.deals else None


def stage_totals(deals: Any, stages: Iterable[Stage]) -> dict[int, dict[str, Any]]:
    """Count, sum and probability-weighted sum of ``deals`` per stage id, in the workspace's
    base currency: one grouped query.

    The query reads the deal table alone (the ``crm_deal_totals_idx`` covering index holds
    stage, amount, currency, probability and owner) and groups by currency too; amounts in
    other currencies are converted at the workspace's rates in force (``ConvertedTotal``), and
    a currency without a rate is reported apart, never added. Deals without their own
    probability are summed apart and weighted with their stage's default here, instead of
    joining every deal to its stage.
    """
    rows = (
        deals.order_by()
        .values("stage_id", "currency")
        .annotate(
            count=Count("*"),  # not Count("id"): id is not in the covering index
            total=Sum("amount"),
            own_weighted=Sum(
                ExpressionWrapper(
                    F("amount") * F("probability"),
                    output_field=DecimalField(max_digits=24, decimal_places=4),
                ),
                filter=Q(probability__isnull=False),
            ),
            default_amount=Sum("amount", filter=Q(probability__isnull=True)),
        )
    )
    probability = {stage.pk: stage.probability for stage in stages}
    counts: dict[int, int] = {}
    totals: dict[int, dict[str, Decimal]] = {}
    weighted: dict[int, dict[str, Decimal]] = {}
    for row in rows:
        stage_id, currency = row["stage_id"], str(row["currency"]).upper()
        counts[stage_id] = counts.get(stage_id, 0) + row["count"]
        stage_total = totals.setdefault(stage_id, {})
        stage_total[currency] = stage_total.get(currency, Decimal(0)) + (row["total"] or 0)
        value = (row["own_weighted"] or Decimal(0)) + (row["default_amount"] or Decimal(0)) * (
            probability.get(stage_id, 0)
        )
        stage_weighted = weighted.setdefault(stage_id, {})
        stage_weighted[currency] = stage_weighted.get(currency, Decimal(0)) + value / 100
    base = workspace_currency()
    needs_rates = any(code != base for per in totals.values() for code in per)
    rates = rates_in_force(base=base) if needs_rates else {}
    return {
        stage_id: {
            "count": counts[stage_id],
            "total": convert(totals[stage_id], rates=rates, base=base),
            "weighted": convert(weighted[stage_id], rates=rates, base=base),
        }
        for stage_id in counts
    }


def board_deals(*, pipeline: Pipeline, user: Any, owner: Any = None, tag: Tag | None = None) -> Any:
    """The deals of ``pipeline`` the user sees, with the board's quick filters applied."""
    deals = Deal.objects.visible_to(user).filter(pipeline=pipeline)
    if owner is not None:
        deals = deals.filter(owner=owner)
    if tag is not None:
        deals = deals.filter(tags=tag)
    return deals


def _cards(deals: Any) -> Any:
    return deals.select_related("company", "owner").only(
        "title", "amount", "currency", "stage_id", "stage_entered_at", "position",
        "company__name", "owner__full_name", "owner__email",
    )  # fmt: skip


def _attach(cards: list[Deal], stages: dict[int, Stage]) -> None:
    """Tags in one query, and the stage already in hand (rotting needs its threshold)."""
    prefetch_related_objects(cards, Prefetch("tags", queryset=Tag.objects.order_by("name")))
    for deal in cards:
        deal.stage = stages[deal.stage_id]


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
    totals = stage_totals(deals, stages)
    columns = [
        _cards(deals.filter(stage=stage)).order_by("position", "id")[:per_column]
        for stage in stages
        if totals.get(stage.pk, {}).get("count")
    ]
    cards: list[Deal] = []
    if columns:
        # One UNION ALL of per-column "first N by position" queries: each walks the
        # (stage, position, id) index instead of ranking every deal of the pipeline.
        combined = columns[0].union(*columns[1:], all=True) if len(columns) > 1 else columns[0]
        cards = list(combined)
        _attach(cards, {stage.pk: stage for stage in stages})
        cards.sort(key=lambda deal: (deal.position, deal.pk))
    by_stage: dict[int, list[Deal]] = {stage.pk: [] for stage in stages}
    for deal in cards:
        by_stage.setdefault(deal.stage_id, []).append(deal)
    return [
        Column(
            stage=stage,
            deals=by_stage[stage.pk],
            count=totals.get(stage.pk, {}).get("count", 0),
            total=totals.get(stage.pk, {}).get("total") or ConvertedTotal(workspace_currency()),
            weighted=totals.get(stage.pk, {}).get("weighted")
            or ConvertedTotal(workspace_currency()),
        )
        for stage in stages
    ]


def column_more(
    *,
    stage: Stage,
    user: Any,
    after: Deal,
    owner: Any = None,
    tag: Tag | None = None,
    per_column: int = CARDS_PER_COLUMN,
) -> tuple[list[Deal], bool]:
    """The next cards of one column after the card ``after``, and whether more follow."""
    deals = board_deals(pipeline=stage.pipeline, user=user, owner=owner, tag=tag)
    position = Q(position__gt=after.position) | Q(position=after.position, id__gt=after.pk)
    rows = list(
        _cards(deals.filter(stage=stage))
        .filter(Q(position__gte=after.position) & position)
        .order_by("position", "id")[: per_column + 1]
    )
    _attach(rows, {stage.pk: stage})
    return rows[:per_column], len(rows) > per_column
