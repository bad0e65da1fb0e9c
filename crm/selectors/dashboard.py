"""The dashboard: the signed-in user's work for today and the pipeline at a glance."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from crm.models import Activity, Deal, Pipeline, StageKind
from crm.selectors.board import stage_totals
from crm.selectors.money import ConvertedTotal, workspace_currency

#: The fields an activity item on the dashboard reads (``crm/_activity_item.html``).
ACTIVITY_ITEM_FIELDS = (
    "kind",
    "subject",
    "due_at",
    "done_at",
    "contact__first_name",
    "contact__last_name",
    "company__name",
    "deal__title",
    "lead__name",
)


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
        # What the list shows: the activity and the name of the record it concerns.
        .only(*ACTIVITY_ITEM_FIELDS)
        # The partial index on open activities (owner, due_at, id) serves each list in this
        # order without scanning other users' activities or done ones.
        .order_by("due_at", "id")
    )
    return MyActivities(
        overdue=list(mine.filter(due_at__lt=start_of_day)[:limit]),
        today=list(mine.filter(due_at__gte=start_of_day, due_at__lt=end_of_day)[:limit]),
        upcoming=list(mine.filter(due_at__gte=end_of_day)[:limit]),
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
            "total": totals.get(stage.pk, {}).get("total") or ConvertedTotal(workspace_currency()),
            "weighted": totals.get(stage.pk, {}).get("weighted")
            or ConvertedTotal(workspace_currency()),
        }
        for stage in stages
    ]
