"""Reads of customer service: the case list, breach report, CSAT averages, article search."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.selectors.search import SearchGroup
from crm.service.models import (
    ACTIVE_STATUSES,
    Article,
    ArticleVisibility,
    Case,
    CaseEvent,
    Priority,
)

#: A case number as typed in a search (ASCII digits only: ``²³`` is no number).
_NUMBER = re.compile(r"[0-9]{1,18}")

#: Sort keys of the case list and the index-backed ordering each means.
CASE_SORTS: dict[str, tuple[str, ...]] = {
    "number": ("number", "id"),
    "created": ("created_at", "id"),
    "updated": ("updated_at", "id"),
    "due": ("resolution_due_at", "id"),
}
CASE_DEFAULT_SORT = "-number"


def case_ordering(sort: str) -> tuple[str, ...]:
    columns = CASE_SORTS.get(sort.removeprefix("-"))
    if columns is None:
        return case_ordering(CASE_DEFAULT_SORT)
    return tuple(f"-{c}" for c in columns) if sort.startswith("-") else columns


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Every case, for any active member of the workspace (the desk is shared work)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Case.objects.none()
    return Case.objects.all()


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def cases_filtered(queryset: QuerySet[Case], *, params: Mapping[str, Any]) -> QuerySet[Case]:
    """Apply the case list's (validated) filters."""
    if text := (params.get("q") or "").strip():
        number = text.removeprefix("#")
        condition = Q(subject__icontains=text)  # trigram index on UPPER(subject)
        if _NUMBER.fullmatch(number):
            condition |= Q(number=int(number))
        queryset = queryset.filter(condition)
    status = params.get("status")
    if status == "active":
        queryset = queryset.filter(status__in=ACTIVE_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    for name in ("priority", "channel"):
        if value := params.get(name):
            queryset = queryset.filter(**{name: value})
    for name in ("category", "queue", "assignee"):
        if value := params.get(name):
            queryset = queryset.filter(**{f"{name}_id": value})
    if params.get("mine_user"):
        queryset = queryset.filter(assignee_id=params["mine_user"])
    # Opened from/to whole days in the user's time zone (the insights' drill-down).
    if opened_from := params.get("opened_from"):
        queryset = queryset.filter(created_at__gte=_day_start(opened_from))
    if opened_to := params.get("opened_to"):
        queryset = queryset.filter(
            created_at__lt=_day_start(opened_to + datetime.timedelta(days=1))
        )
    sla = params.get("sla")
    now = timezone.now()
    if sla == "breached":
        queryset = queryset.filter(
            Q(first_response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)
        )
    elif sla == "at_risk":
        queryset = queryset.filter(status__in=("new", "open")).filter(
            Q(first_responded_at__isnull=True, first_response_warn_at__lte=now)
            | Q(first_responded_at__isnull=False, resolution_warn_at__lte=now)
        )
    return queryset


def case_search_group(*, user: Any, text: str, limit: int = 5) -> SearchGroup | None:
    """Cases for the global search: by number (``#123`` or ``123``) or words of the subject."""
    text = text.strip()
    if not text:
        return None
    rows = cases_filtered(cases_visible_to(user), params={"q": text})
    results = list(rows.select_related("assignee").order_by("-number")[:limit])
    if not results:
        return None
    return SearchGroup(key="cases", label=_("Cases"), icon="ti-lifebuoy", results=results)


def case_timeline(case: Case) -> list[CaseEvent]:
    return list(case.events.select_related("author").order_by("-created_at", "-id")[:200])


def csat_average(queryset: QuerySet[Case]) -> dict[str, Any]:
    """Average score and number of answers of a selection of cases."""
    return queryset.filter(csat_score__isnull=False).aggregate(
        average=Avg("csat_score"), answers=Count("id")
    )


@dataclass(frozen=True)
class BreachRow:
    label: str
    cases: int
    breached: int
    csat: float | None

    @property
    def rate(self) -> float:
        return round(100 * self.breached / self.cases, 1) if self.cases else 0.0


def _group_label(group: str, row: dict[str, Any]) -> str:
    if group == "priority":
        return str(Priority(row["priority"]).label)
    if group == "assignee":
        return str(row["assignee__full_name"] or row["assignee__email"] or "—")
    if group == "month":
        return str(row["period"].strftime("%Y-%m"))
    return str(row["period"].strftime("%Y-%m-%d"))


def breach_report(*, group: str, since: datetime.datetime) -> list[BreachRow]:
    """Cases opened since ``since`` grouped by period, priority or assignee, with breaches."""
    breached = Q(first_response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)
    base = Case.objects.filter(created_at__gte=since)
    rows: QuerySet[Any, Any]
    if group == "priority":
        rows = base.values("priority").order_by("priority")
    elif group == "assignee":
        rows = base.values("assignee__full_name", "assignee__email").order_by("assignee__full_name")
    elif group == "month":
        rows = base.annotate(period=TruncMonth("created_at")).values("period").order_by("period")
    else:
        rows = base.annotate(period=TruncWeek("created_at")).values("period").order_by("period")
    aggregated = rows.annotate(
        cases=Count("id"), breached=Count("id", filter=breached), csat=Avg("csat_score")
    )
    return [
        BreachRow(_group_label(group, row), row["cases"], row["breached"], row["csat"])
        for row in aggregated
    ]


_WORD = re.compile(r"\w{3,}", re.UNICODE)


def articles_suggested(subject: str, *, limit: int = 5) -> list[Article]:
    """Articles whose title shares a word (three letters or more) with a case's subject."""
    words = sorted(set(_WORD.findall(subject.lower())), key=len, reverse=True)[:6]
    if not words:
        return []
    condition = Q()
    for word in words:
        condition |= Q(title__icontains=word) | Q(body__icontains=word)
    return list(Article.objects.filter(condition).order_by("title", "id")[:limit])


def public_articles(language: str = "") -> QuerySet[Article]:
    rows = Article.objects.filter(visibility=ArticleVisibility.PUBLIC)
    if language:
        rows = rows.filter(language=language)
    return rows.order_by("title", "id")
