"""A small sales history whose figures are computed by hand in the tests' docstrings.

Stages of the default pipeline (position): Qualified 0 (10 %), Contact made 1 (20 %),
Proposal 2 (50 %), Negotiation 3 (75 %), Won 4, Lost 5. Base currency EUR; 1 USD = 0.90 EUR.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from crm.models import Deal, ExchangeRate, Lead, StageTransition
from tests.crm.factories import DealFactory, LeadFactory, stage_named


def days_ago(now: datetime.datetime, days: float) -> datetime.datetime:
    return now - datetime.timedelta(days=days)


def next_month(day: datetime.date) -> datetime.date:
    year, month = divmod(day.month, 12)
    return datetime.date(day.year + year, month + 1, 6)


@dataclass
class History:
    now: datetime.datetime
    deals: dict[str, Deal]


def make_deal(
    key: str,
    *,
    owner: Any,
    stage: str,
    amount: str,
    currency: str = "EUR",
    now: datetime.datetime,
    created: float,
    path: list[tuple[str, float]],
    closed: float | None = None,
    **fields: Any,
) -> Deal:
    """A deal with its stage history: ``path`` is (stage name, days ago) from its first stage."""
    deal = DealFactory.create(
        title=key,
        owner=owner,
        stage=stage_named(stage),
        amount=Decimal(amount),
        currency=currency,
        **fields,
    )
    updates: dict[str, Any] = {"created_at": days_ago(now, created)}
    if stage == "Won":
        updates["won_at"] = days_ago(now, closed or 0)
    if stage == "Lost":
        updates["lost_at"] = days_ago(now, closed or 0)
    Deal.objects.filter(pk=deal.pk).update(**updates)
    previous = None
    for stage_name, when in path:
        to_stage = stage_named(stage_name)
        StageTransition.objects.create(
            deal=deal,
            from_stage=previous,
            to_stage=to_stage,
            moved_at=days_ago(now, when),
            amount=deal.amount,
        )
        previous = to_stage
    deal.refresh_from_db()
    return deal


def sales_history(*, owner: Any, rep: Any) -> History:
    """Three open deals, two won, one lost; ``rep`` owns only the second won deal (w2)."""
    now = timezone.now()
    today = timezone.localdate()
    ExchangeRate.objects.create(
        currency="USD", base_currency="EUR", rate=Decimal("0.90"), valid_from=today
    )
    deals = {
        "d1": make_deal(
            "d1",
            owner=owner,
            stage="Qualified",
            amount="1000",
            now=now,
            created=20,
            path=[("Qualified", 20)],
            expected_close_on=today,
        ),
        "d2": make_deal(
            "d2",
            owner=owner,
            stage="Proposal",
            amount="100",
            currency="USD",
            now=now,
            created=20,
            path=[("Qualified", 20), ("Proposal", 10)],
            expected_close_on=next_month(today),
        ),
        "d3": make_deal(
            "d3",
            owner=owner,
            stage="Proposal",
            amount="2000",
            now=now,
            created=20,
            path=[("Qualified", 20), ("Contact made", 15), ("Proposal", 12)],
            probability=30,
        ),
        "w1": make_deal(
            "w1",
            owner=owner,
            stage="Won",
            amount="3000",
            now=now,
            created=40,
            closed=10,
            path=[("Qualified", 40), ("Proposal", 30), ("Negotiation", 20), ("Won", 10)],
        ),
        "w2": make_deal(
            "w2",
            owner=rep,
            stage="Won",
            amount="1000",
            now=now,
            created=25,
            closed=5,
            path=[("Qualified", 25), ("Won", 5)],
        ),
        "l1": make_deal(
            "l1",
            owner=owner,
            stage="Lost",
            amount="500",
            now=now,
            created=20,
            closed=3,
            path=[("Qualified", 20), ("Contact made", 10), ("Lost", 3)],
            lost_reason="Price",
        ),
    }
    lead = LeadFactory.create(owner=owner, source="referral")
    Lead.objects.filter(pk=lead.pk).update(converted_deal=deals["w1"], status="converted")
    return History(now=now, deals=deals)
