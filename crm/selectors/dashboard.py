"""The dashboard: the signed-in user's work for today and the pipeline at a glance."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from crm.models import Activity, Deal, Pipeline, StageKind
from crm.selectors.board import stage_totals


@dataclass(frozen=True)
class MyActivities:
    overdue: list[Activity]
    today: list[Activity]
    upcoming: list[Activity]


def my_open_activities(*, user: Any, limit: int = 10) -> MyActivities:
    """The user's open activities: overdue, due today, and the next ones (three short queries)."""
    now = timezone.localtime()
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_day = start_of_day + datetime.timedelta(days=1)
    mine = (
        Activity.objects.filter(owner=user)
        .open()
        .select_related("contact", "company", "deal", "lead")
    )
    return MyActivities(
        # Ordered by due date only, so the partial index (owner, due_at) WHERE done_at IS NULL
        # serves each list without scanning other users' activities.
        overdue=list(mine.filter(due_at__lt=start_of_day).order_by("due_at")[:limit]),
        today=list(
            mine.filter(due_at__gte=start_of_day, due_at__lt=end_of_day).order_by("due_at")[:limit]
        ),
        upcoming=list(mine.filter(due_at__gte=end_of_day).order_by("due_at")[:limit]),
    )


def my_open_deals(*, user: Any, limit: int = 10) -> list[Deal]:
    return list(
        Deal.objects.filter(owner=user)
        .open()
        .select_related("stage", "company")
        .order_by("-updated_at", "-id")[:limit]
    )


def pipeline_summary(*, user: Any, pipeline: Pipeline | None) -> list[dict[str, Any]]:
    """Each open stage of ``pipeline`` with the count, sum and weighted sum of visible deals."""
    if pipeline is None:
        return []
    stages = list(pipeline.stages.filter(kind=StageKind.OPEN).order_by("position", "id"))
    totals = stage_totals(
        Deal.objects.visible_to(user).filter(pipeline=pipeline, stage__in=stages), stages
    )
    return [
        {
            "stage": stage,
            "count": totals.get(stage.pk, {}).get("count", 0),
            "total": totals.get(stage.pk, {}).get("total") or 0,
            "weighted": totals.get(stage.pk, {}).get("weighted") or 0,
        }
        for stage in stages
    ]
