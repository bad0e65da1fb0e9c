"""Customer value pages and flags: reads of the precomputed ``CustomerValue`` table.

A viewer sees the customers (companies, contacts) the viewer may see: all of them, or for a
rep who sees own records only, those the rep owns.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.insights.models import CustomerKind, CustomerValue, Segment
from crm.models.visibility import sees_everything

#: Customers listed as "to look after this week" per owner.
LOOK_AFTER_LIMIT = 20
TOP_LISTED = 20


def visible_values(user: Any, *, kind: str | None = None, owner_id: int | None = None) -> Any:
    values: QuerySet[CustomerValue] = CustomerValue.objects.all()
    if not sees_everything(user):
        values = values.filter(owner_id=getattr(user, "pk", None) or -1)
    if kind:
        values = values.filter(kind=kind)
    if owner_id:
        values = values.filter(owner_id=owner_id)
    return values


@dataclass(frozen=True)
class SegmentRow:
    segment: str
    label: str
    count: int
    value: Decimal


@dataclass
class CustomerOverview:
    kind: str
    customers: int
    revenue: Decimal
    top_revenue: Decimal
    top_count: int
    segments: list[SegmentRow]
    top: list[CustomerValue]
    look_after: list[CustomerValue]
    computed_at: datetime.datetime | None

    @property
    def top_share(self) -> Decimal | None:
        """The top 20 % customers' share of the revenue, in percent."""
        if not self.revenue:
            return None
        return (self.top_revenue * 100 / self.revenue).quantize(Decimal("0.1"))


def customer_overview(
    user: Any, *, kind: str = CustomerKind.COMPANY, owner_id: int | None = None
) -> CustomerOverview:
    values = visible_values(user, kind=kind, owner_id=owner_id)
    totals = values.aggregate(
        customers=Count("pk"),
        revenue=Sum("monetary"),
        top_revenue=Sum("monetary", filter=Q(top_customer=True)),
        top_count=Count("pk", filter=Q(top_customer=True)),
        computed_at=Max("computed_at"),
    )
    per_segment = {
        row["segment"]: row
        for row in values.order_by()
        .values("segment")
        .annotate(count=Count("pk"), value=Sum("monetary"))
    }
    segments = [
        SegmentRow(
            segment=code,
            label=str(label),
            count=per_segment.get(code, {}).get("count", 0),
            value=Decimal(per_segment.get(code, {}).get("value") or 0),
        )
        for code, label in Segment.choices
    ]
    look_after_owner = owner_id or getattr(user, "pk", None)
    return CustomerOverview(
        kind=kind,
        customers=totals["customers"],
        revenue=Decimal(totals["revenue"] or 0),
        top_revenue=Decimal(totals["top_revenue"] or 0),
        top_count=totals["top_count"],
        segments=segments,
        top=list(values.order_by("-monetary", "id")[:TOP_LISTED]),
        look_after=look_after(user, owner_id=look_after_owner, kind=kind),
        computed_at=totals["computed_at"]
        or CustomerValue.objects.aggregate(at=Max("computed_at"))["at"],
    )


def look_after(user: Any, *, owner_id: int | None, kind: str | None = None) -> list[CustomerValue]:
    """The owner's customers to look after this week: overdue ones and the at-risk segment,
    most valuable first."""
    values = visible_values(user, kind=kind, owner_id=owner_id)
    return list(
        values.filter(Q(at_risk=True) | Q(segment=Segment.AT_RISK)).order_by("-monetary", "id")[
            :LOOK_AFTER_LIMIT
        ]
    )


def flags_for(kind: str, record_ids: list[int]) -> dict[int, CustomerValue]:
    """The customer values of ``record_ids`` (one indexed query)."""
    if not record_ids:
        return {}
    return {
        value.record_id: value
        for value in CustomerValue.objects.filter(kind=kind, record_id__in=record_ids)
    }


def _span(days: float) -> str:
    """Days as "N days" under two months, else "N months"."""
    if days < 60:
        count = max(1, round(days))
        return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}
    count = round(days / 30.4)
    return ngettext("%(count)d month", "%(count)d months", count) % {"count": count}


def risk_text(value: CustomerValue) -> str:
    """ "At risk: no order in 9 months, used to order every 2 months"."""
    return _("At risk: no order in %(since)s, used to order every %(gap)s") % {
        "since": _span(value.recency_days),
        "gap": _span(float(value.mean_gap_days or 0)),
    }
