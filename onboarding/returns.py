"""The CRM's own return: the go-live baseline beside the same measures now, with the change,
and data completeness of records entered before go-live against those entered since.

Lives in ``onboarding`` (which owns the baseline) and reads the CRM's insights selectors.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from crm.insights.selectors.adoption import DataQuality, data_quality
from crm.insights.selectors.scope import start_of_day
from onboarding import selectors
from onboarding.models import GoLiveBaseline


@dataclass(frozen=True)
class Measure:
    label: str
    before: Decimal | None
    now: Decimal | None
    #: "money", "percent", "days" or "number": how the page shows the figures.
    unit: str
    #: Whether a higher figure is better (a shorter sales cycle is better).
    higher_is_better: bool = True

    @property
    def change(self) -> Decimal | None:
        if self.before is None or self.now is None:
            return None
        return self.now - self.before

    @property
    def improved(self) -> bool | None:
        change = self.change
        if change is None or change == 0:
            return None
        return (change > 0) == self.higher_is_better


@dataclass(frozen=True)
class CrmReturn:
    baseline: GoLiveBaseline
    first_day: datetime.date
    last_day: datetime.date
    measures: list[Measure]
    quality_before: DataQuality
    quality_since: DataQuality


def crm_return(*, today: datetime.date | None = None) -> CrmReturn | None:
    """The baseline's measures now (the same number of days up to yesterday); ``None`` before
    a baseline is recorded."""
    baseline = selectors.baseline()
    if baseline is None:
        return None
    today = today or timezone.localdate()
    first_day = today - datetime.timedelta(days=baseline.period_days)
    last_day = today - datetime.timedelta(days=1)
    now = selectors.sales_figures(
        first_day=first_day, last_day=last_day, currency=baseline.currency
    )
    go_live = start_of_day(baseline.go_live_on)
    quality_before = data_quality(created_before=go_live)
    quality_since = data_quality(created_since=go_live)
    return CrmReturn(
        baseline=baseline,
        first_day=first_day,
        last_day=last_day,
        measures=[
            Measure(_("Win rate"), baseline.win_rate, now.win_rate, "percent"),
            Measure(
                _("Average sales cycle"),
                baseline.average_sales_cycle_days,
                now.average_sales_cycle_days,
                "days",
                higher_is_better=False,
            ),
            Measure(
                _("Revenue per person selling"),
                baseline.revenue_per_seller,
                now.revenue_per_seller,
                "money",
            ),
            Measure(
                _("Activities per person selling"),
                baseline.activities_per_seller,
                now.activities_per_seller,
                "number",
            ),
            Measure(_("Data completeness"), quality_before.score, quality_since.score, "percent"),
        ],
        quality_before=quality_before,
        quality_since=quality_since,
    )
