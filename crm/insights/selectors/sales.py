"""The sales dashboard: pipeline, forecast, win rate, cycle, conversion, velocity, sources.

Each figure is a grouped SQL query over the deals the viewer may see (``Scope.deals``), with
amounts converted to the base currency inside the query (``Conversion.amount``); the deals'
outcomes, currencies and open pipeline share one query grouped by currency as well, whose
plain sums are converted afterwards at the same rates (:func:`deal_figures`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from crm.insights.models import Snapshot
from crm.insights.selectors.money import (
    MONEY,
    Conversion,
    currencies_without_rate,
    rates_key,
)
from crm.insights.selectors.scope import Scope
from crm.models import Deal, Lead, LeadSource, Pipeline, Stage, StageKind, StageTransition
from crm.models.visibility import sees_everything

#: Months of expected close the forecast shows, from the current month on.
FORECAST_MONTHS = 12
#: Lost reasons listed; the rest are summed as "other reasons".
LOST_REASONS_SHOWN = 8


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    count: int
    value: Decimal
    weighted: Decimal
    url: str


@dataclass(frozen=True)
class ForecastRow:
    #: First day of the month; ``None`` for deals whose expected close has passed.
    month: datetime.date | None
    count: int
    value: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class Outcomes:
    """Deals closed in the period."""

    won: int
    lost: int
    won_value: Decimal
    #: Mean days from creation to won, over deals won in the period (``None``: none won).
    cycle_days: Decimal | None

    @property
    def closed(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> Decimal | None:
        """Share of closed deals that were won, in percent."""
        if not self.closed:
            return None
        return (Decimal(self.won) * 100 / Decimal(self.closed)).quantize(Decimal("0.1"))

    @property
    def average_won(self) -> Decimal | None:
        if not self.won:
            return None
        return (self.won_value / self.won).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Velocity:
    """Pipeline velocity: open deals × average won value × win rate ÷ sales cycle (per day)."""

    open_deals: int
    average_won: Decimal | None
    win_rate: Decimal | None
    cycle_days: Decimal | None

    @property
    def per_day(self) -> Decimal | None:
        if not (self.average_won and self.win_rate and self.cycle_days):
            return None
        value = Decimal(self.open_deals) * self.average_won * self.win_rate / 100 / self.cycle_days
        return value.quantize(Decimal("0.01"))

    @property
    def per_month(self) -> Decimal | None:
        per_day = self.per_day
        return None if per_day is None else (per_day * 30).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class ConversionRow:
    """Deals of the period's cohort that reached ``stage`` (or a later one), and how many of
    them went on to the next stage."""

    stage: Stage
    reached: int
    next_stage: Stage | None
    reached_next: int

    @property
    def rate(self) -> Decimal | None:
        if self.next_stage is None or not self.reached:
            return None
        return (Decimal(self.reached_next) * 100 / Decimal(self.reached)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class StageTimeRow:
    stage: Stage
    stays: int
    average_days: Decimal


@dataclass(frozen=True)
class ReasonRow:
    reason: str
    count: int
    value: Decimal


@dataclass(frozen=True)
class SourceRow:
    #: A lead source code, or "" for won deals that did not come from a lead.
    source: str
    label: str
    count: int
    value: Decimal
    url: str


@dataclass
class SalesDashboard:
    scope: Scope
    base: str
    stages: list[StageRow]
    forecast: list[ForecastRow]
    undated_open: int
    outcomes: Outcomes
    velocity: Velocity
    conversion: list[ConversionRow]
    stage_times: list[StageTimeRow]
    lost_reasons: list[ReasonRow]
    sources: list[SourceRow]
    #: Currencies of deals in scope without a rate in force (their amounts are left out).
    missing_rates: list[str] = field(default_factory=list)
    rates_used: dict[str, Any] = field(default_factory=dict)
    computed_at: datetime.datetime | None = None
    #: When the hourly job computed the conversion and time in stage shown (``None``: live).
    stages_computed_at: datetime.datetime | None = None

    @property
    def open_value(self) -> Decimal:
        return sum((row.value for row in self.stages), Decimal(0))

    @property
    def open_weighted(self) -> Decimal:
        return sum((row.weighted for row in self.stages), Decimal(0))

    @property
    def won_url(self) -> str:
        return self.scope.deal_list_url(status=StageKind.WON)

    @property
    def open_count(self) -> int:
        return sum(row.count for row in self.stages)


def weighted_amount(conversion: Conversion) -> Any:
    """SQL: the deal's base amount × its own probability, else its stage's, ÷ 100."""
    probability = Coalesce(F("probability"), F("stage__probability"), output_field=IntegerField())
    return ExpressionWrapper(
        conversion.amount() * probability / Value(Decimal(100)), output_field=MONEY
    )


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def pipeline_stages(scope: Scope) -> list[Stage]:
    """The scope's pipeline's stages in board order, read once per dashboard."""
    if scope.pipeline is None:
        return []
    if hasattr(scope, "_pipeline_stages"):
        cached: list[Stage] = scope._pipeline_stages
        return cached
    stages = list(scope.pipeline.stages.order_by("position", "id"))
    object.__setattr__(scope, "_pipeline_stages", stages)
    return stages


@dataclass(frozen=True)
class OpenDealGroup:
    """Open deals of one stage and one month of expected close (``None``: undated)."""

    stage_id: int
    month: datetime.date | None
    count: int
    value: Any
    weighted: Any


def open_deal_groups(scope: Scope, conversion: Conversion) -> list[OpenDealGroup]:
    """The open deals in scope by stage and month of expected close: one grouped query that
    serves both the pipeline by stage and the forecast."""
    rows = (
        scope.deals()
        .filter(stage__kind=StageKind.OPEN)
        .order_by()
        .annotate(month=TruncMonth("expected_close_on"))
        .values("stage_id", "month")
        .annotate(
            count=Count("*"),
            value=Sum(conversion.amount()),
            weighted=Sum(weighted_amount(conversion)),
        )
    )
    return [OpenDealGroup(**row) for row in rows]


def pipeline_by_stage(
    scope: Scope, conversion: Conversion, *, groups: list[OpenDealGroup] | None = None
) -> list[StageRow]:
    """Each open stage of the pipeline: count, value and weighted value of its deals."""
    if scope.pipeline is None:
        return []
    stages = [stage for stage in pipeline_stages(scope) if stage.kind == StageKind.OPEN]
    if groups is None:
        groups = open_deal_groups(scope, conversion)
    rows: dict[int, dict[str, Any]] = {}
    for group in groups:
        row = rows.setdefault(group.stage_id, {"count": 0, "value": 0, "weighted": 0})
        row["count"] += group.count
        row["value"] += group.value or 0
        row["weighted"] += group.weighted or 0
    return [
        StageRow(
            stage=stage,
            count=rows.get(stage.pk, {}).get("count", 0),
            value=_money(rows.get(stage.pk, {}).get("value")),
            weighted=_money(rows.get(stage.pk, {}).get("weighted")),
            url=scope.deal_list_url(stage=stage.pk),
        )
        for stage in stages
    ]


def forecast_by_month(
    scope: Scope, conversion: Conversion, *, groups: list[OpenDealGroup] | None = None
) -> tuple[list[ForecastRow], int]:
    """Open deals' weighted value by month of expected close (this month and the next 11),
    with one row for deals whose expected close has passed; and the count without a date."""
    today = timezone.localdate()
    first = today.replace(day=1)
    year, month = divmod(first.month - 1 + FORECAST_MONTHS, 12)
    horizon = datetime.date(first.year + year, month + 1, 1)
    if groups is None:
        groups = open_deal_groups(scope, conversion)
    by_month: dict[datetime.date | None, dict[str, Any]] = {}
    undated = 0
    for group in groups:
        if group.month is None:
            undated += group.count
            continue
        if group.month >= horizon:
            continue
        key = group.month if group.month >= first else None
        bucket = by_month.setdefault(key, {"count": 0, "value": 0, "weighted": 0})
        bucket["count"] += group.count
        bucket["value"] += group.value or 0
        bucket["weighted"] += group.weighted or 0
    months: list[datetime.date | None] = [None]
    current = first
    for _ in range(FORECAST_MONTHS):
        months.append(current)
        year, month = divmod(current.month, 12)
        current = datetime.date(current.year + year, month + 1, 1)
    forecast = [
        ForecastRow(
            month=month_start,
            count=by_month.get(month_start, {}).get("count", 0),
            value=_money(by_month.get(month_start, {}).get("value")),
            weighted=_money(by_month.get(month_start, {}).get("weighted")),
        )
        for month_start in months
    ]
    return forecast, undated


def _won_in(scope: Scope) -> Q:
    return Q(stage__kind=StageKind.WON, won_at__gte=scope.since, won_at__lt=scope.until)


def _lost_in(scope: Scope) -> Q:
    return Q(stage__kind=StageKind.LOST, lost_at__gte=scope.since, lost_at__lt=scope.until)


def outcomes(scope: Scope, conversion: Conversion) -> Outcomes:
    """Won and lost in the period, won value and mean sales cycle: one query."""
    return deal_figures(scope, conversion).outcomes


@dataclass(frozen=True)
class DealFigures:
    """What one pass over the deals in scope gives the dashboard."""

    outcomes: Outcomes
    #: Distinct currencies of the deals in scope (they say which amounts lack a rate).
    currencies: set[str]
    open_groups: list[OpenDealGroup]


def deal_figures(scope: Scope, conversion: Conversion) -> DealFigures:
    """Outcomes, currencies and the open deals by stage and month of expected close, in one
    grouped query over the deals in scope (one read of the deals instead of five).

    The groups are per currency too, so the sums are plain sums of amounts, converted to the
    base currency here at the rates in force (a currency without one is left out, as
    :meth:`Conversion.amount` leaves it out in SQL) instead of a ``CASE`` per deal.
    """
    cycle = ExpressionWrapper(F("won_at") - F("created_at"), output_field=DurationField())
    probability = Coalesce(F("probability"), F("stage__probability"), output_field=IntegerField())
    rows = list(
        scope.deals()
        .order_by()
        .annotate(month=TruncMonth("expected_close_on"))
        .values("stage_id", "stage__kind", "month", "currency")
        .annotate(
            count=Count("*"),
            amount_sum=Sum("amount"),
            weighted_sum=Sum(ExpressionWrapper(F("amount") * probability, output_field=MONEY)),
            won=Count("pk", filter=_won_in(scope)),
            lost=Count("pk", filter=_lost_in(scope)),
            won_sum=Sum("amount", filter=_won_in(scope)),
            cycle_total=Sum(cycle, filter=_won_in(scope)),
        )
    )

    def in_base(row: dict[str, Any], total: Any) -> Decimal | None:
        rate = _rate_of(row["currency"], conversion)
        return None if rate is None or total is None else Decimal(total) * rate

    won = sum(row["won"] for row in rows)
    cycle_total = sum(
        (row["cycle_total"] for row in rows if row["cycle_total"] is not None),
        datetime.timedelta(),
    )
    cycle_days = None
    if won:
        cycle_days = (
            Decimal(cycle_total.total_seconds()) / Decimal(won) / Decimal(86400)
        ).quantize(Decimal("0.1"))
    result = Outcomes(
        won=won,
        lost=sum(row["lost"] for row in rows),
        won_value=_money(sum((in_base(row, row["won_sum"]) or 0 for row in rows), Decimal(0))),
        cycle_days=cycle_days,
    )
    open_groups = []
    for row in rows:
        if row["stage__kind"] != StageKind.OPEN:
            continue
        weighted = in_base(row, row["weighted_sum"])
        open_groups.append(
            OpenDealGroup(
                stage_id=row["stage_id"],
                month=row["month"],
                count=row["count"],
                value=in_base(row, row["amount_sum"]),
                weighted=None if weighted is None else weighted / 100,
            )
        )
    return DealFigures(
        outcomes=result,
        currencies={str(row["currency"]).upper() for row in rows if row["currency"]},
        open_groups=open_groups,
    )


def _rate_of(currency: str | None, conversion: Conversion) -> Decimal | None:
    """The base-currency value of one unit of ``currency`` (``None``: no rate in force)."""
    if currency == conversion.base:
        return Decimal(1)
    used = conversion.rates.get(currency or "")
    return None if used is None else Decimal(used.rate)


def stage_conversion(scope: Scope) -> list[ConversionRow]:
    """For the deals created in the period: how many reached each stage (or a later one, by
    the stage history) and went on to the next. Lost stages are not steps."""
    if scope.pipeline is None:
        return []
    steps = [stage for stage in pipeline_stages(scope) if stage.kind != StageKind.LOST]
    precomputed = _precomputed(scope)
    if precomputed is not None:
        counts = {
            (int(key) if key != "none" else None): count
            for key, count in precomputed.conversion.items()
        }
    else:
        counts = stage_conversion_counts(scope.deals(), scope.since, scope.until)

    def reached(stage: Stage) -> int:
        return sum(
            count
            for position, count in counts.items()
            if position is not None and position >= stage.position
        )

    rows = []
    for index, stage in enumerate(steps):
        next_stage = steps[index + 1] if index + 1 < len(steps) else None
        rows.append(
            ConversionRow(
                stage=stage,
                reached=reached(stage),
                next_stage=next_stage,
                reached_next=reached(next_stage) if next_stage else 0,
            )
        )
    return rows


def stage_conversion_counts(
    deals: Any, since: datetime.datetime, until: datetime.datetime
) -> dict[int | None, int]:
    """``deals`` created in the period by the furthest non-lost stage position their history
    reached (``None``: no history): one grouped join, not a subquery per deal."""
    deal_sql, deal_params = (
        deals.filter(created_at__gte=since, created_at__lt=until)
        .order_by()
        .values("pk")
        .query.sql_with_params()
    )
    sql = f"""
        SELECT furthest, COUNT(*) FROM (
            SELECT d.pk, MAX(s.position) FILTER (WHERE s.kind <> %s) AS furthest
            FROM ({deal_sql}) d
            LEFT JOIN {StageTransition._meta.db_table} t ON t.deal_id = d.pk
            LEFT JOIN {Stage._meta.db_table} s ON s.id = t.to_stage_id
            GROUP BY d.pk
        ) per_deal
        GROUP BY furthest
    """  # noqa: S608 -- table names are the models'; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [StageKind.LOST, *deal_params])
        return {furthest: count for furthest, count in cursor.fetchall()}


def time_in_stage(scope: Scope) -> list[StageTimeRow]:
    """Mean days a deal stayed in each open stage before moving on, over stays that began
    in the period (from the stage history: each stay ends at the deal's next transition)."""
    if scope.pipeline is None:
        return []
    stages = {stage.pk: stage for stage in pipeline_stages(scope) if stage.kind == StageKind.OPEN}
    precomputed = _precomputed(scope)
    if precomputed is not None:
        found = {
            int(stage_id): (count, days) for stage_id, (count, days) in precomputed.stays.items()
        }
    else:
        found = stage_stays(scope.deals(), scope.since, scope.until, list(stages))
    return [
        StageTimeRow(
            stage=stage,
            stays=found.get(stage_id, (0, None))[0],
            average_days=Decimal(str(found.get(stage_id, (0, 0))[1] or 0)).quantize(Decimal("0.1")),
        )
        for stage_id, stage in stages.items()
    ]


def stage_stays(
    deals: Any, since: datetime.datetime, until: datetime.datetime, stage_ids: list[int]
) -> dict[int, tuple[int, Any]]:
    """Finished stays of ``deals`` that began in the period, by stage: (count, mean days);
    each stay ends at the deal's next transition (a window function)."""
    deal_sql, deal_params = deals.order_by().values("pk").query.sql_with_params()
    table = StageTransition._meta.db_table
    sql = f"""
        WITH stays AS (
            SELECT t.to_stage_id, t.moved_at,
                   LEAD(t.moved_at) OVER (PARTITION BY t.deal_id ORDER BY t.moved_at, t.id)
                       AS left_at
            FROM {table} t
            WHERE t.deal_id IN ({deal_sql})
        )
        SELECT to_stage_id, COUNT(*),
               AVG(EXTRACT(EPOCH FROM left_at - moved_at)) / 86400
        FROM stays
        WHERE left_at IS NOT NULL AND moved_at >= %s AND moved_at < %s
          AND to_stage_id = ANY(%s)
        GROUP BY to_stage_id
    """  # noqa: S608 -- the table name is the model's; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*deal_params, since, until, stage_ids])
        return {stage_id: (count, days) for stage_id, count, days in cursor.fetchall()}


#: A precomputed conversion and time in stage is used while younger than this (the hourly
#: job replaces it).
STAGE_SNAPSHOT_MAX_AGE = datetime.timedelta(hours=2)


def stage_snapshot_key(pipeline_id: int, since: datetime.datetime, until: datetime.datetime) -> str:
    """The snapshot of one pipeline's whole-workspace conversion and time in stage for a
    period (its bounds as instants: a viewer in another time zone has other bounds)."""
    return f"stages:{pipeline_id}:{since.timestamp():.0f}:{until.timestamp():.0f}"


@dataclass(frozen=True)
class StageFigures:
    """Stored conversion counts (by furthest position) and stays (by stage) of one scope."""

    conversion: dict[str, int]
    stays: dict[str, list[Any]]
    computed_at: datetime.datetime


def _precomputed_owner(scope: Scope) -> tuple[bool, int | None]:
    """Whether the job's figures can serve ``scope``, and for which owner (``None``: every
    deal). The job stores every deal's figures and each owner's; a viewer who sees every deal
    reads the total or the owner filtered on; a rep who sees own deals only reads the rep's."""
    if sees_everything(scope.user):
        return True, scope.owner_id or None
    user_id = getattr(scope.user, "pk", None)
    if user_id is None or (scope.owner_id and scope.owner_id != user_id):
        return False, None
    return True, int(user_id)


def _precomputed(scope: Scope) -> StageFigures | None:
    """The job's figures for this scope (see :func:`_precomputed_owner`); ``None``: live."""
    if scope.pipeline is None:
        return None
    usable, owner_id = _precomputed_owner(scope)
    if not usable:
        return None
    if hasattr(scope, "_stage_snapshot"):
        cached: StageFigures | None = scope._stage_snapshot
        return cached
    snapshot = (
        Snapshot.objects.filter(
            key=stage_snapshot_key(scope.pipeline.pk, scope.since, scope.until),
            computed_at__gte=timezone.now() - STAGE_SNAPSHOT_MAX_AGE,
        )
        .only("data", "computed_at")
        .first()
    )
    found = None
    if snapshot is not None and "conversion" in snapshot.data:
        data = snapshot.data
        if owner_id is not None:
            # An owner without deals in the period has no entry: nothing reached, no stays.
            data = data["owners"].get(str(owner_id), {}) if "owners" in data else None
        if data is not None:
            found = StageFigures(
                conversion=data.get("conversion", {}),
                stays=data.get("stays", {}),
                computed_at=snapshot.computed_at,
            )
    object.__setattr__(scope, "_stage_snapshot", found)
    return found


def stage_figures_precompute(*, today: datetime.date | None = None) -> int:
    """Store each pipeline's conversion and time in stage over every deal for the preset
    periods ending today (the hourly insights job); returns the number of snapshots."""
    tenant_zone = getattr(getattr(connection, "tenant", None), "time_zone", "") or None
    with timezone.override(tenant_zone):
        return _stage_figures_precompute(today=today)


def _stage_figures_precompute(*, today: datetime.date | None) -> int:
    from crm.insights.forms import Period, period_bounds
    from crm.insights.selectors.scope import start_of_day

    today = today or timezone.localdate()
    now = timezone.now()
    keys = []
    for pipeline in Pipeline.objects.all():
        deals = Deal.objects.filter(pipeline=pipeline)
        open_ids = list(pipeline.stages.filter(kind=StageKind.OPEN).values_list("pk", flat=True))
        for period, _label in Period.CHOICES:
            start, end = period_bounds(period, today)
            since, until = start_of_day(start), start_of_day(end + datetime.timedelta(days=1))
            counts = stage_conversion_counts_by_owner(deals, since, until)
            stays = stage_stays_by_owner(deals, since, until, open_ids)
            key = stage_snapshot_key(pipeline.pk, since, until)
            keys.append(key)
            owners = {owner for owner in (*counts, *stays) if owner is not None}
            data: dict[str, Any] = _stage_figures_data(counts.get(None, {}), stays.get(None, {}))
            data["owners"] = {
                str(owner): _stage_figures_data(counts.get(owner, {}), stays.get(owner, {}))
                for owner in owners
                if owner != NO_OWNER
            }
            Snapshot.objects.update_or_create(key=key, defaults={"computed_at": now, "data": data})
    Snapshot.objects.filter(key__startswith="stages:").exclude(key__in=keys).delete()
    return len(keys)


def _stage_figures_data(
    counts: dict[int | None, int], stays: dict[int, tuple[int, Any]]
) -> dict[str, Any]:
    return {
        "conversion": {
            ("none" if position is None else str(position)): count
            for position, count in counts.items()
        },
        "stays": {
            str(stage_id): [count, None if days is None else str(days)]
            for stage_id, (count, days) in stays.items()
        },
    }


#: The owner key of deals without an owner in the per-owner figures (never asked for).
NO_OWNER = 0


def stage_conversion_counts_by_owner(
    deals: Any, since: datetime.datetime, until: datetime.datetime
) -> dict[int | None, dict[int | None, int]]:
    """:func:`stage_conversion_counts` for every deal (key ``None``) and per owner (deals
    without one under ``NO_OWNER``), in one query (``GROUPING SETS``)."""
    deal_sql, deal_params = (
        deals.filter(created_at__gte=since, created_at__lt=until)
        .order_by()
        .values("pk", "owner_id")
        .query.sql_with_params()
    )
    sql = f"""
        SELECT GROUPING(owner_id) = 1, COALESCE(owner_id, {NO_OWNER}), furthest, COUNT(*)
        FROM (
            SELECT d.pk, d.owner_id, MAX(s.position) FILTER (WHERE s.kind <> %s) AS furthest
            FROM ({deal_sql}) d
            LEFT JOIN {StageTransition._meta.db_table} t ON t.deal_id = d.pk
            LEFT JOIN {Stage._meta.db_table} s ON s.id = t.to_stage_id
            GROUP BY d.pk, d.owner_id
        ) per_deal
        GROUP BY GROUPING SETS ((furthest), (owner_id, furthest))
    """  # noqa: S608 -- table names are the models'; values are parameters
    found: dict[int | None, dict[int | None, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [StageKind.LOST, *deal_params])
        for total, owner_id, furthest, count in cursor.fetchall():
            found.setdefault(None if total else owner_id, {})[furthest] = count
    return found


def stage_stays_by_owner(
    deals: Any, since: datetime.datetime, until: datetime.datetime, stage_ids: list[int]
) -> dict[int | None, dict[int, tuple[int, Any]]]:
    """:func:`stage_stays` for every deal (key ``None``) and per owner of the deal (deals
    without one under ``NO_OWNER``), in one query (``GROUPING SETS``)."""
    deal_sql, deal_params = deals.order_by().values("pk", "owner_id").query.sql_with_params()
    table = StageTransition._meta.db_table
    sql = f"""
        WITH stays AS (
            SELECT t.to_stage_id, t.moved_at, d.owner_id,
                   LEAD(t.moved_at) OVER (PARTITION BY t.deal_id ORDER BY t.moved_at, t.id)
                       AS left_at
            FROM {table} t
            JOIN ({deal_sql}) d ON d.pk = t.deal_id
        )
        SELECT GROUPING(owner_id) = 1, COALESCE(owner_id, {NO_OWNER}), to_stage_id, COUNT(*),
               AVG(EXTRACT(EPOCH FROM left_at - moved_at)) / 86400
        FROM stays
        WHERE left_at IS NOT NULL AND moved_at >= %s AND moved_at < %s
          AND to_stage_id = ANY(%s)
        GROUP BY GROUPING SETS ((to_stage_id), (owner_id, to_stage_id))
    """  # noqa: S608 -- the table name is the model's; values are parameters
    found: dict[int | None, dict[int, tuple[int, Any]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*deal_params, since, until, stage_ids])
        for total, owner_id, stage_id, count, days in cursor.fetchall():
            found.setdefault(None if total else owner_id, {})[stage_id] = (count, days)
    return found


def lost_reasons(scope: Scope, conversion: Conversion) -> list[ReasonRow]:
    """Deals lost in the period by reason (most frequent first)."""
    rows = list(
        scope.deals()
        .filter(_lost_in(scope))
        .order_by()
        .values("lost_reason")
        .annotate(count=Count("*"), value=Sum(conversion.amount()))
        .order_by("-count", "lost_reason")
    )
    shown = [
        ReasonRow(reason=row["lost_reason"], count=row["count"], value=_money(row["value"]))
        for row in rows[:LOST_REASONS_SHOWN]
    ]
    rest = rows[LOST_REASONS_SHOWN:]
    if rest:
        shown.append(
            ReasonRow(
                reason="…",
                count=sum(row["count"] for row in rest),
                value=_money(sum((row["value"] or 0) for row in rest)),
            )
        )
    return shown


def won_by_source(
    scope: Scope, conversion: Conversion, won_value: Decimal, *, won_count: int | None = None
) -> list[SourceRow]:
    """Value won in the period by the source of the lead each deal was converted from; deals
    not converted from a lead form the "direct" row (``won_count``: the deals won in the
    period, when the caller counted them already)."""
    won = scope.deals().filter(_won_in(scope))
    rows = (
        Lead.objects.filter(converted_deal__in=won.values("pk"))
        .order_by()
        .values("source")
        .annotate(
            count=Count("converted_deal", distinct=True),
            value=Sum(conversion.amount("converted_deal__amount", "converted_deal__currency")),
        )
        .order_by("-value")
    )
    labels = dict(LeadSource.choices)
    sources = []
    from_leads_count, from_leads_value = 0, Decimal(0)
    for row in rows:
        value = _money(row["value"])
        from_leads_count += row["count"]
        from_leads_value += value
        sources.append(
            SourceRow(
                source=row["source"],
                label=str(labels.get(row["source"], "")) or "—",
                count=row["count"],
                value=value,
                url=_lead_list_url(row["source"]),
            )
        )
    if won_count is None:
        won_count = won.count()
    if won_count > from_leads_count:
        sources.append(
            SourceRow(
                source="",
                label=gettext("Not from a lead"),
                count=won_count - from_leads_count,
                value=_money(won_value - from_leads_value),
                url=scope.deal_list_url(status=StageKind.WON),
            )
        )
    return sources


def _lead_list_url(source: str) -> str:
    query = {"status": "converted"}
    if source:
        query["source"] = source
    return f"{reverse('leads')}?{urlencode(query)}"


#: Seconds a computed dashboard is served again (the page says when it was computed).
SALES_CACHE_SECONDS = 300


def sales_dashboard(scope: Scope) -> SalesDashboard:
    """The dashboard of ``scope``, computed at most every ``SALES_CACHE_SECONDS`` for the
    same viewer visibility, filters, period and rates (the cache key carries the schema)."""
    conversion = Conversion.current()
    key = f"insights:sales:{scope.cache_key()}:{rates_key(conversion)}:{translation.get_language()}"
    cached = cache.get(key)
    if isinstance(cached, SalesDashboard):
        cached.scope = scope
        return cached
    dashboard = _sales_dashboard(scope, conversion)
    cache.set(key, dashboard, SALES_CACHE_SECONDS)
    return dashboard


def _sales_dashboard(scope: Scope, conversion: Conversion) -> SalesDashboard:
    figures = deal_figures(scope, conversion)
    result, currencies, groups = figures.outcomes, figures.currencies, figures.open_groups
    stages = pipeline_by_stage(scope, conversion, groups=groups)
    forecast, undated = forecast_by_month(scope, conversion, groups=groups)
    return SalesDashboard(
        scope=scope,
        base=conversion.base,
        stages=stages,
        forecast=forecast,
        undated_open=undated,
        outcomes=result,
        velocity=Velocity(
            open_deals=sum(row.count for row in stages),
            average_won=result.average_won,
            win_rate=result.win_rate,
            cycle_days=result.cycle_days,
        ),
        conversion=stage_conversion(scope),
        stage_times=time_in_stage(scope),
        lost_reasons=lost_reasons(scope, conversion),
        sources=won_by_source(scope, conversion, result.won_value, won_count=result.won),
        missing_rates=currencies_without_rate(currencies, conversion),
        rates_used=conversion.rates_used(currencies - {conversion.base}),
        computed_at=timezone.now(),
        stages_computed_at=getattr(_precomputed(scope), "computed_at", None),
    )
