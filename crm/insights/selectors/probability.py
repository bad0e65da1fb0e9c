"""Win probability that explains itself.

Each open deal starts from its stage's probability. Once the workspace has enough closed deals
(``MIN_CLOSED`` in the last ``EVIDENCE_DAYS`` days, with at least ``MIN_EACH`` won and as many
lost), the stage's figure is blended with the share of closed deals that passed through the
stage and were won, and five factors move it up or down: age versus the typical sales cycle,
days since the last activity, amount band, lead source, and the owner's win rate. Each
factor's effect is the difference, in log-odds, between the win rate of closed deals in the
same band and the overall win rate (smoothed towards the overall rate with ``SMOOTHING``
pseudo-deals), added naive-Bayes style. The page shows the number and the largest effects in
words. Before there is enough evidence it shows the stage's figure and "not enough data".

The evidence is read in two grouped queries (closed deals by band, stage history by stage);
the open deals' bands are read for one page of deals only.
"""

from __future__ import annotations

import datetime
import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Extract, Now
from django.utils.translation import gettext as _

from crm.insights.models import Snapshot
from crm.insights.selectors.money import Conversion, rates_key
from crm.insights.selectors.scope import Scope
from crm.models import Activity, Deal, Lead, LeadSource, StageKind, StageTransition
from tenants.users.models import User

#: Closed deals needed before the workspace's own evidence is used (and not before).
MIN_CLOSED = 30
#: ... of which at least this many won and this many lost.
MIN_EACH = 5
#: Closed deals older than this are not evidence.
EVIDENCE_DAYS = 730
#: Pseudo-deals at the overall rate added to every band (keeps small bands near the mean).
SMOOTHING = 10
#: A manual probability this many points away from the computed one is flagged.
DISAGREEMENT_POINTS = 25
#: Factors named per deal.
FACTORS_SHOWN = 3
PAGE_SIZE = 50
#: The typographic minus sign of the explanations.
MINUS = "\u2212"

FACTORS = ("age", "idle", "amount", "source", "owner")


def _logit(p: float) -> float:
    p = min(max(p, 0.01), 0.99)
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@dataclass
class Evidence:
    closed: int
    won: int
    #: Won share of closed deals that entered each stage (smoothed later), by stage id.
    stage_closed: dict[int, int] = field(default_factory=dict)
    stage_won: dict[int, int] = field(default_factory=dict)
    #: Closed and won counts by factor and band.
    bands: dict[str, dict[Any, list[int]]] = field(default_factory=dict)
    typical_cycle_days: float = 0
    average_won: float = 0
    computed_at: datetime.datetime | None = None

    @property
    def enough(self) -> bool:
        return self.closed >= MIN_CLOSED and self.won >= MIN_EACH and self.lost >= MIN_EACH

    @property
    def lost(self) -> int:
        return self.closed - self.won

    @property
    def base_rate(self) -> float:
        return self.won / self.closed if self.closed else 0.0

    def band_rate(self, factor: str, band: Any) -> float:
        closed, won = self.bands.get(factor, {}).get(band, [0, 0])
        return (won + SMOOTHING * self.base_rate) / (closed + SMOOTHING)

    def stage_rate(self, stage_id: int, default: int) -> float:
        closed = self.stage_closed.get(stage_id, 0)
        won = self.stage_won.get(stage_id, 0)
        return (won + SMOOTHING * default / 100) / (closed + SMOOTHING)


def _bands(
    *, moment: Any, outer_moment: Any, conversion: Conversion, typical: float, average: float
) -> dict[str, Any]:
    """SQL expressions of each factor's band for a deal, as of ``moment`` (now or its close)."""
    age_days = Extract(
        ExpressionWrapper(moment - F("created_at"), output_field=DurationField()), "epoch"
    ) / Value(86400.0)
    last_activity = Subquery(
        Activity.objects.filter(deal=OuterRef("pk"), created_at__lte=outer_moment)
        .order_by()
        .values("deal")
        .annotate(last=Max("created_at"))
        .values("last"),
        output_field=DateTimeField(),
    )
    idle_days = Extract(
        ExpressionWrapper(moment - last_activity, output_field=DurationField()), "epoch"
    ) / Value(86400.0)
    amount = Cast(conversion.amount(), FloatField())
    source = Subquery(
        Lead.objects.filter(converted_deal=OuterRef("pk")).order_by("id").values("source")[:1],
        output_field=CharField(),
    )
    typical = max(typical, 1.0)
    return {
        "age_band": Case(
            When(Q(**{"age_days__lte": typical}), then=Value("usual")),
            When(Q(**{"age_days__lte": 2 * typical}), then=Value("late")),
            default=Value("stale"),
            output_field=CharField(),
        ),
        "idle_band": Case(
            When(idle_days__isnull=True, then=Value("none")),
            When(idle_days__lte=7, then=Value("active")),
            When(idle_days__lte=30, then=Value("quiet")),
            default=Value("idle"),
            output_field=CharField(),
        ),
        "amount_band": Case(
            When(amount__isnull=True, then=Value("typical")),
            When(amount__lt=0.5 * average, then=Value("small")),
            When(amount__gt=2 * average, then=Value("large")),
            default=Value("typical"),
            output_field=CharField(),
        ),
        "source_band": Coalesce(source, Value("")),
        "_age_days": age_days,
        "_idle_days": idle_days,
        "_amount": amount,
    }


def _annotate(queryset: Any, bands: dict[str, Any]) -> Any:
    """Annotate helpers first (the bands refer to them by name)."""
    return queryset.annotate(
        age_days=bands["_age_days"], idle_days=bands["_idle_days"], amount_base=bands["_amount"]
    ).annotate(
        age_band=bands["age_band"],
        idle_band=bands["idle_band"],
        amount_band=bands["amount_band"],
        source_band=bands["source_band"],
    )


#: Seconds the evidence is reused (closed deals change slowly; the page says when).
EVIDENCE_CACHE_SECONDS = 900


#: A precomputed evidence (``insights.Snapshot``) is used while younger than this; the
#: hourly job replaces it, so it is normally at most an hour old.
EVIDENCE_SNAPSHOT_MAX_AGE = datetime.timedelta(hours=3)


def evidence_snapshot_key(conversion: Conversion) -> str:
    """The snapshot key of the evidence under these rates (a new rate, a new key)."""
    digest = hashlib.sha256(rates_key(conversion).encode()).hexdigest()[:32]
    return f"evidence:{digest}"


def evidence_to_data(found: Evidence) -> dict[str, Any]:
    """The evidence as JSON (bands as lists: an owner band's key is an id, not a string)."""
    return {
        "closed": found.closed,
        "won": found.won,
        "stages": [
            [stage_id, closed, found.stage_won.get(stage_id, 0)]
            for stage_id, closed in found.stage_closed.items()
        ],
        "bands": [
            [name, band, counts[0], counts[1]]
            for name, table in found.bands.items()
            for band, counts in table.items()
        ],
        "typical_cycle_days": found.typical_cycle_days,
        "average_won": found.average_won,
    }


def evidence_from_data(data: dict[str, Any], computed_at: datetime.datetime) -> Evidence:
    found = Evidence(closed=data["closed"], won=data["won"], computed_at=computed_at)
    for stage_id, closed, won in data["stages"]:
        found.stage_closed[stage_id] = closed
        found.stage_won[stage_id] = won
    if data["bands"]:
        found.bands = {name: {} for name in FACTORS}
    for name, band, closed, won in data["bands"]:
        found.bands.setdefault(name, {})[band] = [closed, won]
    found.typical_cycle_days = data["typical_cycle_days"]
    found.average_won = data["average_won"]
    return found


def evidence_precompute(*, now: datetime.datetime | None = None) -> Evidence:
    """Compute the evidence and store it for the pages (the hourly insights job)."""
    conversion = Conversion.current()
    moment = now or datetime.datetime.now(tz=datetime.UTC)
    found = _evidence(conversion, now=moment)
    key = evidence_snapshot_key(conversion)
    Snapshot.objects.filter(key__startswith="evidence:").exclude(key=key).delete()
    Snapshot.objects.update_or_create(
        key=key, defaults={"data": evidence_to_data(found), "computed_at": moment}
    )
    return found


def evidence_precomputed(conversion: Conversion, *, now: datetime.datetime) -> Evidence | None:
    """The evidence the job stored for these rates, if it was computed near ``now``."""
    snapshot = (
        Snapshot.objects.filter(
            key=evidence_snapshot_key(conversion),
            computed_at__gte=now - EVIDENCE_SNAPSHOT_MAX_AGE,
            computed_at__lte=now + datetime.timedelta(minutes=5),
        )
        .only("data", "computed_at")
        .first()
    )
    if snapshot is None:
        return None
    return evidence_from_data(snapshot.data, snapshot.computed_at)


def evidence(conversion: Conversion, *, now: datetime.datetime, cached: bool = True) -> Evidence:
    """The workspace's closed deals of the last two years counted by factor band: the one
    the hourly job precomputed if there is one for these rates, else computed at most every
    ``EVIDENCE_CACHE_SECONDS`` (the cache key carries the schema)."""
    if cached:
        stored = evidence_precomputed(conversion, now=now)
        if stored is not None:
            return stored
    key = f"insights:evidence:{rates_key(conversion)}"
    if cached:
        found = cache.get(key)
        if isinstance(found, Evidence):
            return found
    result = _evidence(conversion, now=now)
    if cached:
        cache.set(key, result, EVIDENCE_CACHE_SECONDS)
    return result


def _evidence(conversion: Conversion, *, now: datetime.datetime) -> Evidence:
    since = now - datetime.timedelta(days=EVIDENCE_DAYS)
    closed = Deal.objects.filter(
        Q(stage__kind=StageKind.WON, won_at__gte=since)
        | Q(stage__kind=StageKind.LOST, lost_at__gte=since)
    )
    won_q = Q(stage__kind=StageKind.WON)
    summary = closed.aggregate(
        closed=Count("pk"),
        won=Count("pk", filter=won_q),
        cycle=Avg(
            ExpressionWrapper(F("won_at") - F("created_at"), output_field=DurationField()),
            filter=won_q,
        ),
        average=Avg(conversion.amount(), filter=won_q),
    )
    result = Evidence(closed=summary["closed"], won=summary["won"], computed_at=now)
    if not result.enough:
        return result
    result.typical_cycle_days = (
        summary["cycle"].total_seconds() / 86400 if summary["cycle"] else 30.0
    )
    result.average_won = float(summary["average"] or 0)
    moment = Coalesce(F("won_at"), F("lost_at"))
    bands = _bands(
        moment=moment,
        outer_moment=Coalesce(OuterRef("won_at"), OuterRef("lost_at")),
        conversion=conversion,
        typical=result.typical_cycle_days,
        average=result.average_won,
    )
    rows = (
        _annotate(closed.order_by(), bands)
        .annotate(is_won=Case(When(won_q, then=Value(1)), default=Value(0)))
        .values("age_band", "idle_band", "amount_band", "source_band", "owner_id", "is_won")
        .annotate(count=Count("*"))
    )
    tables: dict[str, dict[Any, list[int]]] = {
        name: defaultdict(lambda: [0, 0]) for name in FACTORS
    }
    for row in rows:
        for name, key in (
            ("age", row["age_band"]),
            ("idle", row["idle_band"]),
            ("amount", row["amount_band"]),
            ("source", row["source_band"]),
            ("owner", row["owner_id"]),
        ):
            tables[name][key][0] += row["count"]
            tables[name][key][1] += row["count"] * row["is_won"]
    result.bands = {name: dict(table) for name, table in tables.items()}
    for row in (
        StageTransition.objects.filter(deal__in=closed.values("pk"))
        .order_by()
        .values("to_stage_id")
        .annotate(
            closed=Count("deal", distinct=True),
            won=Count("deal", distinct=True, filter=Q(deal__stage__kind=StageKind.WON)),
        )
    ):
        result.stage_closed[row["to_stage_id"]] = row["closed"]
        result.stage_won[row["to_stage_id"]] = row["won"]
    return result


@dataclass(frozen=True)
class Factor:
    text: str
    #: Effect on the probability, in percentage points (signed).
    points: int


@dataclass
class DealChance:
    deal: Deal
    probability: int
    stage_text: str
    factors: list[Factor]
    enough_data: bool

    @property
    def manual(self) -> int | None:
        return self.deal.probability

    @property
    def disagrees(self) -> bool:
        """The manual probability is far from the computed one."""
        return (
            self.enough_data
            and self.manual is not None
            and abs(self.manual - self.probability) >= DISAGREEMENT_POINTS
        )

    @property
    def explanation(self) -> str:
        parts = [self.stage_text] + [
            f"{factor.text} {'+' if factor.points >= 0 else MINUS}{abs(factor.points)} %"
            for factor in self.factors
        ]
        return f"{self.probability} %: " + "; ".join(parts)


def _factor_text(name: str, deal: Any, evidence: Evidence, owners: dict[int, Any]) -> str:
    if name == "age":
        days = int(deal.age_days or 0)
        ratio = (deal.age_days or 0) / max(evidence.typical_cycle_days, 1)
        return _("open %(days)d days, %(ratio).1f× the usual cycle") % {
            "days": days,
            "ratio": ratio,
        }
    if name == "idle":
        if deal.idle_days is None:
            return _("no activity yet")
        return _("last activity %(days)d days ago") % {"days": int(deal.idle_days)}
    if name == "amount":
        return {
            "small": _("amount under half the average won"),
            "large": _("amount over twice the average won"),
        }.get(deal.amount_band, _("usual amount"))
    if name == "source":
        labels = dict(LeadSource.choices)
        if not deal.source_band:
            return _("not from a lead")
        return _("source %(source)s") % {"source": labels.get(deal.source_band, deal.source_band)}
    rate = round(evidence.band_rate("owner", deal.owner_id) * 100)
    return _("%(owner)s wins %(rate)d %%") % {"owner": owners.get(deal.owner_id, ""), "rate": rate}


def _band_of(name: str, deal: Any) -> Any:
    return {
        "age": deal.age_band,
        "idle": deal.idle_band,
        "amount": deal.amount_band,
        "source": deal.source_band,
        "owner": deal.owner_id,
    }[name]


def explain(deals: Iterable[Any], evidence: Evidence) -> list[DealChance]:
    """Each deal's probability and its largest factors (deals annotated by ``_annotate``)."""
    deals = list(deals)
    owners = {user.pk: user for user in User.objects.filter(pk__in={d.owner_id for d in deals})}
    results = []
    for deal in deals:
        default = deal.stage.probability
        if not evidence.enough:
            results.append(
                DealChance(
                    deal=deal,
                    probability=default,
                    stage_text=_("stage %(stage)s %(rate)d %%")
                    % {"stage": deal.stage, "rate": default},
                    factors=[],
                    enough_data=False,
                )
            )
            continue
        stage_rate = evidence.stage_rate(deal.stage_id, default)
        base = _logit(evidence.base_rate)
        effects = {
            name: _logit(evidence.band_rate(name, _band_of(name, deal))) - base for name in FACTORS
        }
        start = _logit(stage_rate)
        probability = _sigmoid(start + sum(effects.values()))
        factors = []
        for name, effect in effects.items():
            without = _sigmoid(start + sum(effects.values()) - effect)
            points = round((probability - without) * 100)
            factors.append(
                (abs(points), Factor(_factor_text(name, deal, evidence, owners), points))
            )
        factors.sort(key=lambda item: -item[0])
        results.append(
            DealChance(
                deal=deal,
                probability=round(probability * 100),
                stage_text=_("stage %(stage)s %(rate)d %%")
                % {"stage": deal.stage, "rate": round(stage_rate * 100)},
                factors=[factor for points, factor in factors[:FACTORS_SHOWN] if points],
                enough_data=True,
            )
        )
    return results


@dataclass
class ProbabilityPage:
    evidence: Evidence
    chances: list[DealChance]
    page: int
    has_next: bool

    @property
    def needed(self) -> int:
        return MIN_CLOSED


def _open_deals_banded(
    deals: Any, *, found: Evidence, conversion: Conversion, now: datetime.datetime | None
) -> Any:
    """``deals`` that are open, annotated with their factor bands as of now (or ``now``)."""
    moment = Now() if now is None else Value(now, output_field=DateTimeField())
    bands = _bands(
        moment=moment,
        outer_moment=moment,
        conversion=conversion,
        typical=found.typical_cycle_days or 30.0,
        average=found.average_won,
    )
    return _annotate(deals.filter(stage__kind=StageKind.OPEN).select_related("stage"), bands)


def deal_chance(
    user: Any, deal_id: int, *, now: datetime.datetime | None = None
) -> DealChance | None:
    """One open deal's win probability, factors and disagreement flag, computed exactly as
    the win-probability list does (for the deal page); ``None`` for a closed deal or one the
    user may not see."""
    conversion = Conversion.current()
    found = evidence(conversion, now=now or datetime.datetime.now(tz=datetime.UTC))
    deal = _open_deals_banded(
        Deal.objects.visible_to(user).filter(pk=deal_id),
        found=found,
        conversion=conversion,
        now=now,
    ).first()
    return explain([deal], found)[0] if deal is not None else None


def probability_list(
    scope: Scope, *, page: int = 1, now: datetime.datetime | None = None
) -> ProbabilityPage:
    """One page of the viewer's open deals (soonest expected close first) with their chances."""
    conversion = Conversion.current()
    moment_now = now or datetime.datetime.now(tz=datetime.UTC)
    found = evidence(conversion, now=moment_now)
    offset = (max(page, 1) - 1) * PAGE_SIZE
    deals = list(
        _open_deals_banded(scope.deals(), found=found, conversion=conversion, now=now).order_by(
            F("expected_close_on").asc(nulls_last=True), "-amount", "pk"
        )[offset : offset + PAGE_SIZE + 1]
    )
    return ProbabilityPage(
        evidence=found,
        chances=explain(deals[:PAGE_SIZE], found),
        page=max(page, 1),
        has_next=len(deals) > PAGE_SIZE,
    )
