"""Chart.js data for the insights pages: labels, values and the drill-down link per point.

The pages render each chart's data as JSON (``json_script``) next to a table with the same
figures; ``static/js/insights.js`` draws the chart from it and opens a point's link on click.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from crm.insights.selectors.customers import CustomerOverview
from crm.insights.selectors.reps import RepRow
from crm.insights.selectors.sales import SalesDashboard
from crm.insights.selectors.scope import Scope
from crm.models import StageKind


def _number(value: Decimal | int | None) -> float:
    return float(value or 0)


def chart(
    kind: str,
    labels: list[str],
    datasets: list[dict[str, Any]],
    *,
    urls: list[str] | None = None,
    horizontal: bool = False,
) -> dict[str, Any]:
    return {
        "type": kind,
        "labels": labels,
        "datasets": datasets,
        "urls": urls or [],
        "horizontal": horizontal,
    }


def sales_charts(board: SalesDashboard) -> dict[str, dict[str, Any]]:
    scope = board.scope
    forecast_labels = [
        date_format(row.month, "YEAR_MONTH_FORMAT") if row.month else _("Overdue")
        for row in board.forecast
    ]
    return {
        "pipeline": chart(
            "bar",
            [str(row.stage) for row in board.stages],
            [
                {"label": _("Value"), "data": [_number(row.value) for row in board.stages]},
                {"label": _("Weighted"), "data": [_number(row.weighted) for row in board.stages]},
            ],
            urls=[row.url for row in board.stages],
        ),
        "forecast": chart(
            "bar",
            forecast_labels,
            [{"label": _("Weighted"), "data": [_number(row.weighted) for row in board.forecast]}],
            urls=[scope.deal_list_url(status=StageKind.OPEN) for _row in board.forecast],
        ),
        "conversion": chart(
            "bar",
            [str(row.stage) for row in board.conversion],
            [{"label": _("Deals"), "data": [row.reached for row in board.conversion]}],
            urls=[
                scope.deal_list_url(created_from=scope.start, created_to=scope.end)
                for _row in board.conversion
            ],
        ),
        "stage_time": chart(
            "bar",
            [str(row.stage) for row in board.stage_times],
            [
                {
                    "label": _("Days"),
                    "data": [_number(row.average_days) for row in board.stage_times],
                }
            ],
            urls=[scope.deal_list_url(stage=row.stage.pk) for row in board.stage_times],
            horizontal=True,
        ),
        "lost": chart(
            "doughnut",
            [row.reason or _("No reason given") for row in board.lost_reasons],
            [{"label": _("Deals"), "data": [row.count for row in board.lost_reasons]}],
            urls=[scope.deal_list_url(status=StageKind.LOST) for _row in board.lost_reasons],
        ),
        "sources": chart(
            "bar",
            [row.label for row in board.sources],
            [{"label": _("Won value"), "data": [_number(row.value) for row in board.sources]}],
            urls=[row.url for row in board.sources],
            horizontal=True,
        ),
    }


def rep_chart(rows: list[RepRow], scope: Scope) -> dict[str, Any]:
    """Won value and quota per rep (the leaderboard's order); a bar opens the rep's won deals."""
    return chart(
        "bar",
        [str(row.rep) for row in rows],
        [
            {"label": _("Won value"), "data": [_number(row.won_value) for row in rows]},
            {"label": _("Quota"), "data": [_number(row.quota) for row in rows]},
        ],
        urls=[
            scope.deal_list_url(owner=row.rep.pk if row.rep else None, status=StageKind.WON)
            for row in rows
        ],
        horizontal=True,
    )


def segment_chart(overview: CustomerOverview) -> dict[str, Any]:
    """Customers per RFM segment."""
    return chart(
        "doughnut",
        [row.label for row in overview.segments],
        [{"label": _("Customers"), "data": [row.count for row in overview.segments]}],
    )
