"""A customer's trend: won value per quarter over the last two years, for the value panel of a
company or contact page.

One grouped SQL aggregate over the won deals the viewer may see (``Deal.objects.visible_to``),
converted to the base currency inside the query (``Conversion``), bucketed by quarter in the
viewer's time zone. The lifetime value beside it comes from the precomputed table and counts
every deal; the trend counts only what the viewer may see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.insights.selectors.money import Conversion, zero
from crm.insights.selectors.scope import start_of_day
from crm.models import Deal, StageKind

#: Quarters shown (two years, the current one included).
TREND_QUARTERS = 8
#: Height of the sparkline's bars, and the step from one bar to the next, in SVG units.
BAR_HEIGHT = 32
BAR_STEP = 14


@dataclass(frozen=True)
class QuarterValue:
    start: datetime.date
    won: int
    value: Decimal
    #: Bar height (0–``BAR_HEIGHT``) relative to the best quarter, and the bar's position.
    height: int
    x: int = 0

    @property
    def y(self) -> int:
        """The bar's top in the sparkline (bars stand on its bottom line; empty ones show a
        1-unit stub)."""
        return BAR_HEIGHT - self.height

    @property
    def bar(self) -> int:
        return self.height + 1

    @property
    def label(self) -> str:
        return _("%(year)d Q%(quarter)d") % {
            "year": self.start.year,
            "quarter": (self.start.month - 1) // 3 + 1,
        }


@dataclass(frozen=True)
class CustomerTrend:
    base: str
    quarters: list[QuarterValue]

    @property
    def total(self) -> Decimal:
        return sum((q.value for q in self.quarters), zero())

    @property
    def width(self) -> int:
        return BAR_STEP * len(self.quarters)

    @property
    def has_values(self) -> bool:
        return any(q.won for q in self.quarters)


def quarter_start(day: datetime.date) -> datetime.date:
    return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)


def quarters_back(today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the last ``count`` quarters, oldest first, ending with today's."""
    starts = [quarter_start(today)]
    while len(starts) < count:
        previous = starts[-1] - datetime.timedelta(days=1)
        starts.append(quarter_start(previous))
    return starts[::-1]


def _won_deals_of(user: Any, kind: str, record_id: int) -> Any:
    deals = Deal.objects.visible_to(user).filter(stage__kind=StageKind.WON, won_at__isnull=False)
    if kind == "company":
        return deals.filter(company_id=record_id)
    return deals.filter(contacts=record_id)


def customer_trend(
    user: Any, *, kind: str, record_id: int, today: datetime.date | None = None
) -> CustomerTrend:
    """Won value (base currency) and won deals per quarter, last ``TREND_QUARTERS`` quarters."""
    conversion = Conversion.current()
    starts = quarters_back(today or timezone.localdate(), TREND_QUARTERS)
    rows = (
        _won_deals_of(user, kind, record_id)
        .filter(won_at__gte=start_of_day(starts[0]))
        .annotate(quarter=TruncQuarter("won_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("quarter")
        .annotate(won=Count("pk", distinct=True), value=Sum(conversion.amount()))
    )
    found = {
        timezone.localtime(row["quarter"]).date() if isinstance(row["quarter"], datetime.datetime)
        else row["quarter"]: row
        for row in rows
    }  # fmt: skip
    best = max((Decimal(row["value"] or 0) for row in found.values()), default=zero())
    quarters = []
    for index, start in enumerate(starts):
        row = found.get(start, {})
        value = Decimal(row.get("value") or 0).quantize(Decimal("0.01"))
        height = round(BAR_HEIGHT * value / best) if best > 0 else 0
        quarters.append(
            QuarterValue(
                start=start,
                won=row.get("won", 0),
                value=value,
                height=int(height),
                x=index * BAR_STEP,
            )
        )
    return CustomerTrend(base=conversion.base, quarters=quarters)
