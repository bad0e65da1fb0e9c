"""Customer-value rows written directly, as the hourly refresh would leave them, to test what
reads them (segments, care touches, rules, pages) without a sales history."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from crm.insights.models import CustomerValue


def value_row(
    record: Any,
    *,
    segment: str,
    at_risk: bool = False,
    top: bool = False,
    monetary: str = "100",
) -> CustomerValue:
    now = timezone.now()
    return CustomerValue.objects.create(
        kind=record._meta.model_name,
        record_id=record.pk,
        owner_id=record.owner_id,
        name=str(record),
        orders=2,
        monetary=Decimal(monetary),
        first_order_at=now - datetime.timedelta(days=400),
        last_order_at=now - datetime.timedelta(days=10),
        recency_days=10,
        mean_gap_days=Decimal(30),
        r_score=3,
        f_score=3,
        m_score=3,
        segment=segment,
        top_customer=top,
        projected_year=Decimal(monetary),
        at_risk=at_risk,
        currency="EUR",
        computed_at=now,
    )
