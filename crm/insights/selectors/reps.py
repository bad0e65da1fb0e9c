"""Rep activity: what each salesperson did in a period, what it won, and against what quota.

Three grouped queries (activities done, deals, quotas), merged per rep; the viewer sees only
the reps' records the viewer may see (a rep who sees own records sees own row only).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from crm.insights.models import Quota, Snapshot
from crm.insights.selectors.money import Conversion
from crm.insights.selectors.scope import Scope
from crm.models import Activity, ActivityKind, StageKind
from crm.models.visibility import sees_everything
from tenants.users.models import User

#: Activity kinds counted per rep, in the order the table shows them.
COUNTED_KINDS = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.EMAIL, ActivityKind.TASK)


@dataclass
class RepRow:
    rep: Any
    calls: int = 0
    meetings: int = 0
    emails: int = 0
    tasks: int = 0
    created: int = 0
    won: int = 0
    lost: int = 0
    won_value: Decimal = Decimal("0.00")
    quota: Decimal | None = None
    rank: int = 0
    won_url: str = ""

    @property
    def activities(self) -> int:
        return self.calls + self.meetings + self.emails + self.tasks

    @property
    def attainment(self) -> Decimal | None:
        """Won value as a share of the quota, in percent (``None`` without a quota)."""
        if not self.quota:
            return None
        return (self.won_value * 100 / self.quota).quantize(Decimal("0.1"))

    @property
    def win_rate(self) -> Decimal | None:
        closed = self.won + self.lost
        if not closed:
            return None
        return (Decimal(self.won) * 100 / closed).quantize(Decimal("0.1"))


_KIND_FIELD = {
    ActivityKind.CALL: "calls",
    ActivityKind.MEETING: "meetings",
    ActivityKind.EMAIL: "emails",
    ActivityKind.TASK: "tasks",
}


def rep_activity(scope: Scope) -> RepRows:
    """One row per rep with activity, deals or a quota in the period: the leaderboard, best
    won value first (then most activities)."""
    conversion = Conversion.current()
    rows: dict[int, RepRow] = {}

    def row(owner_id: int) -> RepRow:
        return rows.setdefault(owner_id, RepRow(rep=None))

    activities = Activity.objects.visible_to(scope.user).filter(kind__in=COUNTED_KINDS)
    if scope.owner_id:
        activities = activities.filter(owner_id=scope.owner_id)
    snapshot = _precomputed(scope)
    counted: list[dict[str, Any]] = []
    if snapshot is not None:
        # Counted by the job up to its run, plus what was done since (a short index range).
        counted = list(snapshot.data["activities"])
        counted += activity_counts(activities, snapshot.computed_at, scope.until)
    else:
        counted = activity_counts(activities, scope.since, scope.until)
    for found in counted:
        target = row(found["owner_id"])
        for field in _KIND_FIELD.values():
            setattr(target, field, getattr(target, field) + found[field])

    won = Q(stage__kind=StageKind.WON, won_at__gte=scope.since, won_at__lt=scope.until)
    lost = Q(stage__kind=StageKind.LOST, lost_at__gte=scope.since, lost_at__lt=scope.until)
    created = Q(created_at__gte=scope.since, created_at__lt=scope.until)
    for found in (
        scope.deals()
        .filter(won | lost | created)
        .order_by()
        .values("owner_id")
        .annotate(
            created=Count("pk", filter=created),
            won=Count("pk", filter=won),
            lost=Count("pk", filter=lost),
            won_value=Sum(conversion.amount(), filter=won),
        )
    ):
        target = row(found["owner_id"])
        target.created, target.won, target.lost = found["created"], found["won"], found["lost"]
        target.won_value = Decimal(found["won_value"] or 0).quantize(Decimal("0.01"))

    quotas = Quota.objects.filter(
        month__gte=scope.start.replace(day=1), month__lte=scope.end, currency=conversion.base
    )
    if not sees_everything(scope.user):
        quotas = quotas.filter(owner_id=scope.user.pk)
    if scope.owner_id:
        quotas = quotas.filter(owner_id=scope.owner_id)
    for found in quotas.order_by().values("owner_id").annotate(total=Sum("amount")):
        row(found["owner_id"]).quota = found["total"]

    users = User.objects.in_bulk(list(rows))
    leaderboard = [r for owner_id, r in rows.items() if owner_id in users]
    for owner_id, r in rows.items():
        r.rep = users.get(owner_id)
        r.won_url = scope.deal_list_url(owner=owner_id, status=StageKind.WON)
    leaderboard.sort(key=lambda r: (-r.won_value, -r.activities, str(r.rep)))
    for rank, r in enumerate(leaderboard, start=1):
        r.rank = rank
    return RepRows(leaderboard, activities_computed_at=getattr(snapshot, "computed_at", None))


class RepRows(list[RepRow]):
    """The leaderboard, and when the hourly job counted the activities (``None``: live)."""

    def __init__(self, rows: list[RepRow], *, activities_computed_at: Any = None) -> None:
        super().__init__(rows)
        self.activities_computed_at = activities_computed_at


def activity_counts(activities: Any, since: Any, until: Any) -> list[dict[str, Any]]:
    """Activities done in ``[since, until)`` per owner and kind (``crm_activity_done_idx``)."""
    return list(
        activities.filter(done_at__gte=since, done_at__lt=until)
        .order_by()
        .values("owner_id")
        .annotate(
            **{field: Count("pk", filter=Q(kind=kind)) for kind, field in _KIND_FIELD.items()}
        )
    )


#: Precomputed activity counts are used while younger than this (the hourly job replaces them).
REPS_SNAPSHOT_MAX_AGE = datetime.timedelta(hours=2)


def reps_snapshot_key(since: datetime.datetime, until: datetime.datetime) -> str:
    return f"reps:{since.timestamp():.0f}:{until.timestamp():.0f}"


def _precomputed(scope: Scope) -> Snapshot | None:
    """The job's activity counts for the period, only for a viewer who sees every record
    and no owner filter (they count every activity); the rest is counted live."""
    if scope.owner_id or not sees_everything(scope.user):
        return None
    now = timezone.now()
    return (
        Snapshot.objects.filter(
            key=reps_snapshot_key(scope.since, scope.until),
            computed_at__gte=now - REPS_SNAPSHOT_MAX_AGE,
            computed_at__lte=now,
        )
        .only("data", "computed_at")
        .first()
    )


def rep_figures_precompute(*, today: datetime.date | None = None) -> int:
    """Store the activities done per owner and kind for the preset periods ending today in
    the workspace's time zone, up to now (the hourly insights job); returns the snapshots."""
    from django.db import connection

    from crm.insights.forms import Period, period_bounds
    from crm.insights.selectors.scope import start_of_day

    tenant_zone = getattr(getattr(connection, "tenant", None), "time_zone", "") or None
    keys = []
    with timezone.override(tenant_zone):
        day = today or timezone.localdate()
        now = timezone.now()
        activities = Activity.objects.filter(kind__in=COUNTED_KINDS)
        for period, _label in Period.CHOICES:
            start, end = period_bounds(period, day)
            since, until = start_of_day(start), start_of_day(end + datetime.timedelta(days=1))
            key = reps_snapshot_key(since, until)
            keys.append(key)
            Snapshot.objects.update_or_create(
                key=key,
                defaults={
                    "computed_at": now,
                    "data": {"activities": activity_counts(activities, since, min(until, now))},
                },
            )
    Snapshot.objects.filter(key__startswith="reps:").exclude(key__in=keys).delete()
    return len(keys)
