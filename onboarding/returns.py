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

from crm.insights.models import Snapshot
from crm.insights.selectors.adoption import (
    DataQuality,
    Duplicates,
    Week,
    adoption_weeks,
    data_qualities,
    duplicate_emails,
    next_activity_share,
)
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


def crm_return(
    *, today: datetime.date | None = None, qualities: dict[str, DataQuality] | None = None
) -> CrmReturn | None:
    """The baseline's measures now (the same number of days up to yesterday); ``None`` before
    a baseline is recorded. ``qualities``: the data quality split at go-live
    (:func:`data_qualities`), when the caller has it."""
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
    qualities = qualities or data_qualities(go_live)
    quality_before, quality_since = qualities["before"], qualities["since"]
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


# --- The page's heavy figures, precomputed hourly ------------------------------------------------

#: The hourly refresh's figures are shown while younger than this; older, they are counted live.
RETURN_SNAPSHOT_MAX_AGE = datetime.timedelta(hours=2)
RETURN_SNAPSHOT_KEY = "return:figures"


@dataclass(frozen=True)
class ReturnFigures:
    """Adoption per week, the share of open deals with a next activity, and the duplicate
    e-mails (split at go-live): scans of the activities, audit log and contacts that the
    hourly refresh does once instead of every page view. ``computed_at`` is ``None`` when
    counted live for this request."""

    weeks: list[Week]
    planned: int
    open_deals: int
    duplicates: Duplicates
    #: Go-live the duplicates are split at (``None`` before a baseline).
    go_live: datetime.datetime | None
    computed_at: datetime.datetime | None

    @property
    def planned_share(self) -> Decimal | None:
        if not self.open_deals:
            return None
        return (Decimal(self.planned) * 100 / self.open_deals).quantize(Decimal("0.1"))


def _go_live() -> datetime.datetime | None:
    baseline = selectors.baseline()
    return start_of_day(baseline.go_live_on) if baseline is not None else None


def return_figures_live(*, today: datetime.date | None = None) -> ReturnFigures:
    go_live = _go_live()
    planned, open_deals = next_activity_share()
    return ReturnFigures(
        weeks=adoption_weeks(today=today),
        planned=planned,
        open_deals=open_deals,
        duplicates=duplicate_emails(go_live),
        go_live=go_live,
        computed_at=None,
    )


def return_figures_precompute() -> None:
    """Store the page's heavy figures (the hourly refresh; idempotent: replaces them)."""
    today = timezone.localdate()
    figures = return_figures_live(today=today)
    data = {
        "today": today.isoformat(),
        "weeks": [
            [w.start.isoformat(), w.active_users, w.records_touched, w.activities_logged]
            for w in figures.weeks
        ],
        "planned": figures.planned,
        "open_deals": figures.open_deals,
        "duplicates": [figures.duplicates.all, figures.duplicates.before, figures.duplicates.since],
        "go_live": figures.go_live.isoformat() if figures.go_live else None,
    }
    Snapshot.objects.update_or_create(
        key=RETURN_SNAPSHOT_KEY, defaults={"data": data, "computed_at": timezone.now()}
    )


def return_figures() -> ReturnFigures:
    """The refresh's figures while fresh, for today and the current go-live; else live."""
    now, today = timezone.now(), timezone.localdate()
    stored = (
        Snapshot.objects.filter(
            key=RETURN_SNAPSHOT_KEY,
            computed_at__gte=now - RETURN_SNAPSHOT_MAX_AGE,
            computed_at__lte=now,
        )
        .only("data", "computed_at")
        .first()
    )
    go_live = _go_live()
    data = stored.data if stored is not None else {}
    if (
        stored is None
        or data.get("today") != today.isoformat()
        or data.get("go_live") != (go_live.isoformat() if go_live else None)
    ):
        return return_figures_live(today=today)
    return ReturnFigures(
        weeks=[
            Week(datetime.date.fromisoformat(start), users, touched, logged)
            for start, users, touched, logged in data["weeks"]
        ],
        planned=data["planned"],
        open_deals=data["open_deals"],
        duplicates=Duplicates(*data["duplicates"]),
        go_live=go_live,
        computed_at=stored.computed_at,
    )
