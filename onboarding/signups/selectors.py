"""Reads of signups and their journeys, for the ops console (public schema only).

Every figure comes from the public ``Journey`` rows that each workspace's task keeps current,
so the funnel across workspaces is one query on one table, never a read across schemas.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onboarding.signups.models import Signup, SignupStatus

#: The funnel's steps: the journey field each counts, in the order customers reach them.
FUNNEL_STEPS: tuple[tuple[str, Promise], ...] = (
    ("profile_done_at", _("Profile done")),
    ("data_in_at", _("Data in")),
    ("team_invited_at", _("Team invited")),
    ("first_value_at", _("First value")),
)


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: Promise | str
    count: int
    #: Percent of the signups that reached this step.
    share: int


@dataclass(frozen=True)
class Funnel:
    since: datetime.datetime
    signed_up: int
    steps: list[FunnelStep]
    guided_start_completed: int
    median_time_to_first_value: datetime.timedelta | None


def _share(count: int, total: int) -> int:
    return round(count * 100 / total) if total else 0


def _median(values: list[datetime.timedelta]) -> datetime.timedelta | None:
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


def ready_signups(*, since: datetime.datetime) -> QuerySet[Signup]:
    """Signups since ``since`` that got their workspace."""
    return Signup.objects.filter(created_at__gte=since, status=SignupStatus.READY)


def journey_funnel(*, days: int, now: datetime.datetime | None = None) -> Funnel:
    """How many of the last ``days`` days' signups reached each milestone, how many completed
    the guided start, and the median time from signup to first value."""
    since = (now or timezone.now()) - datetime.timedelta(days=days)
    signups = ready_signups(since=since)
    counts = signups.aggregate(
        signed_up=Count("pk"),
        completed=Count("pk", filter=Q(journey__guided_start_completed_at__isnull=False)),
        **{
            key: Count("pk", filter=Q(**{f"journey__{key}__isnull": False}))
            for key, _label in FUNNEL_STEPS
        },
    )
    total = counts["signed_up"]
    durations = sorted(
        first_value - created
        for created, first_value in signups.filter(
            journey__first_value_at__isnull=False
        ).values_list("created_at", "journey__first_value_at")
        if first_value is not None
    )
    return Funnel(
        since=since,
        signed_up=total,
        steps=[
            FunnelStep("signed_up", _("Signed up"), total, 100 if total else 0),
            *(
                FunnelStep(key, label, counts[key], _share(counts[key], total))
                for key, label in FUNNEL_STEPS
            ),
        ],
        guided_start_completed=counts["completed"],
        median_time_to_first_value=_median(durations),
    )


def recent_journeys(*, since: datetime.datetime, limit: int = 50) -> list[Signup]:
    """The latest signups with their workspace and journey, newest first."""
    return list(
        ready_signups(since=since)
        .select_related("tenant", "journey")
        .order_by("-created_at")[:limit]
    )
