"""Reads of campaigns: the list (search, status, sorts), the stats page's counts and the won
deals attributed to a campaign."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)

from crm.marketing.models import Campaign, CampaignRecipient, RecipientStatus, SkipReason
from crm.models import Deal, DealContact, StageKind

#: Sort keys of the campaign list and the ordering each means (the id breaks ties).
CAMPAIGN_SORTS: dict[str, tuple[str, ...]] = {
    "created": ("created_at", "id"),
    "name": ("name", "id"),
    "sent": ("sent_count", "id"),
}
CAMPAIGN_DEFAULT_SORT = "-created"


def campaign_ordering(sort: str) -> tuple[str, ...]:
    """The ordering of a sort key (``-`` for descending); an unknown key is the default."""
    columns = CAMPAIGN_SORTS.get(sort.removeprefix("-"))
    if columns is None:
        return campaign_ordering(CAMPAIGN_DEFAULT_SORT)
    return tuple(f"-{c}" for c in columns) if sort.startswith("-") else columns


def campaigns_visible_to(user: Any) -> QuerySet[Campaign]:
    """Every campaign, for any active member: everyone reads the stats, managers send."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Campaign.objects.none()
    return Campaign.objects.all()


def campaigns_filtered(
    queryset: QuerySet[Campaign], *, params: Mapping[str, Any]
) -> QuerySet[Campaign]:
    """Apply the campaign list's (validated) search and status filter."""
    if text := (params.get("q") or "").strip():
        queryset = queryset.filter(name__icontains=text)
    if status := params.get("status"):
        queryset = queryset.filter(status=status)
    return queryset


def campaign_stats(campaign: Campaign) -> dict[str, Any]:
    """Sent, skipped (by reason), opened, clicked, unsubscribed, bounced, complained."""
    recipients = CampaignRecipient.objects.filter(campaign=campaign)
    counts = recipients.aggregate(
        total=Count("id"),
        queued=Count("id", filter=Q(status=RecipientStatus.QUEUED)),
        sent=Count("id", filter=Q(sent_at__isnull=False)),
        skipped=Count("id", filter=Q(status=RecipientStatus.SKIPPED)),
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        clicked=Count("id", filter=Q(clicked_at__isnull=False)),
        unsubscribed=Count("id", filter=Q(unsubscribed_at__isnull=False)),
        bounced=Count("id", filter=Q(status=RecipientStatus.BOUNCED)),
        complained=Count("id", filter=Q(status=RecipientStatus.COMPLAINED)),
    )
    labels = dict(SkipReason.choices)
    counts["skipped_reasons"] = [
        (labels.get(row["reason"], row["reason"]), row["n"])
        for row in recipients.filter(status=RecipientStatus.SKIPPED)
        .values("reason")
        .annotate(n=Count("id"))
        .order_by("-n", "reason")
    ]
    counts.update(campaign_attribution(campaign))
    return counts


def campaign_attribution(campaign: Campaign) -> dict[str, Any]:
    """Won deals of recipients, won within ``CAMPAIGN_ATTRIBUTION_DAYS`` after their e-mail."""
    from crm.marketing.selectors import _amount_in_base

    days = int(settings.CAMPAIGN_ATTRIBUTION_DAYS)
    window = ExpressionWrapper(
        OuterRef("deal__won_at") - F("sent_at"), output_field=DurationField()
    )
    sent_before = (
        CampaignRecipient.objects.filter(
            campaign=campaign,
            contact_id=OuterRef("contact_id"),
            sent_at__isnull=False,
            sent_at__lte=OuterRef("deal__won_at"),
        )
        .annotate(window=window)
        .filter(window__lte=timedelta(days=days))
    )
    links = DealContact.objects.filter(deal__stage__kind=StageKind.WON).filter(Exists(sent_before))
    deals = Deal.objects.filter(pk__in=links.values("deal_id"))
    total = deals.aggregate(n=Count("id"), amount=Sum(_amount_in_base("")))
    return {
        "won_deals": int(total["n"] or 0),
        "won_amount": total["amount"] or Decimal(0),
        "attribution_days": days,
    }
