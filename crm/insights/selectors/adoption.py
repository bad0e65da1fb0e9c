"""Adoption of the CRM and the quality of its data (workspace-wide: managers and admins).

Active users, records touched (audit entries) and activities logged per week; the share of
open deals with a next activity planned; a data-quality score from missing e-mails and
phones, deals without a close date or an amount, and contacts sharing an e-mail address.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower, TruncWeek
from django.urls import reverse
from django.utils import timezone

from crm.insights.selectors.scope import start_of_day
from crm.models import Activity, AuditEntry, Company, Contact, Deal, StageKind

#: Weeks of adoption shown.
ADOPTION_WEEKS = 8


@dataclass(frozen=True)
class Week:
    start: datetime.date
    active_users: int
    records_touched: int
    activities_logged: int


def _week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def adoption_weeks(
    *, weeks: int = ADOPTION_WEEKS, today: datetime.date | None = None
) -> list[Week]:
    """Per week (Monday first, the current week last): users who changed a record or logged
    an activity, records touched, activities logged. Three grouped queries."""
    today = today or timezone.localdate()
    first = _week_start(today) - datetime.timedelta(weeks=weeks - 1)
    since = start_of_day(first)
    touched = {
        row["week"].date() if hasattr(row["week"], "date") else row["week"]: row
        for row in AuditEntry.objects.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .order_by()
        .values("week")
        .annotate(count=Count("pk"))
    }
    logged = {
        row["week"].date() if hasattr(row["week"], "date") else row["week"]: row
        for row in Activity.objects.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .order_by()
        .values("week")
        .annotate(count=Count("pk"))
    }
    actors: dict[datetime.date, set[int]] = {}
    for model, field in ((AuditEntry, "actor_id"), (Activity, "owner_id")):
        for row in (
            model.objects.filter(created_at__gte=since)
            .exclude(**{f"{field}__isnull": True})
            .annotate(week=TruncWeek("created_at"))
            .order_by()
            .values("week", field)
            .distinct()
        ):
            week = row["week"].date() if hasattr(row["week"], "date") else row["week"]
            actors.setdefault(week, set()).add(row[field])
    result = []
    for index in range(weeks):
        start = first + datetime.timedelta(weeks=index)
        result.append(
            Week(
                start=start,
                active_users=len(actors.get(start, set())),
                records_touched=touched.get(start, {}).get("count", 0),
                activities_logged=logged.get(start, {}).get("count", 0),
            )
        )
    return result


def next_activity_share() -> tuple[int, int]:
    """Open deals with an open activity planned (due now or later), and all open deals."""
    planned = Activity.objects.filter(
        deal=OuterRef("pk"), done_at__isnull=True, due_at__gte=timezone.now()
    )
    row = Deal.objects.filter(stage__kind=StageKind.OPEN).aggregate(
        total=Count("pk"), planned=Count("pk", filter=Exists(planned))
    )
    return row["planned"], row["total"]


@dataclass(frozen=True)
class QualityCheck:
    key: str
    label: str
    missing: int
    total: int
    fix_url: str

    @property
    def share_ok(self) -> Decimal:
        if not self.total:
            return Decimal(100)
        return (Decimal(self.total - self.missing) * 100 / self.total).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class DataQuality:
    checks: list[QualityCheck]

    @property
    def score(self) -> Decimal:
        """The mean share of records passing each check, 0–100."""
        if not self.checks:
            return Decimal(100)
        total = sum((check.share_ok for check in self.checks), Decimal(0))
        return (total / len(self.checks)).quantize(Decimal("0.1"))


def data_quality(
    *,
    created_before: datetime.datetime | None = None,
    created_since: datetime.datetime | None = None,
) -> DataQuality:
    """The data-quality checks over all records, or those created before or since a moment
    (to compare what was entered before go-live with what was entered since)."""
    from django.utils.translation import gettext as _

    def window(queryset: Any) -> Any:
        if created_before is not None:
            queryset = queryset.filter(created_at__lt=created_before)
        if created_since is not None:
            queryset = queryset.filter(created_at__gte=created_since)
        return queryset

    contacts = window(Contact.objects.all()).aggregate(
        total=Count("pk"),
        no_email=Count("pk", filter=Q(email="")),
        no_phone=Count("pk", filter=Q(phone="", mobile="")),
    )
    companies = window(Company.objects.all()).aggregate(
        total=Count("pk"), no_phone=Count("pk", filter=Q(phone="") & Q(domain=""))
    )
    deals = window(Deal.objects.filter(stage__kind=StageKind.OPEN)).aggregate(
        total=Count("pk"),
        no_close=Count("pk", filter=Q(expected_close_on__isnull=True)),
        no_amount=Count("pk", filter=Q(amount=0)),
    )
    duplicate_emails = (
        window(Contact.objects.exclude(email=""))
        .annotate(email_key=Lower("email"))
        .order_by()
        .values("email_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    duplicates = sum(row["n"] - 1 for row in duplicate_emails)
    return DataQuality(
        checks=[
            QualityCheck(
                "contact_email",
                _("Contacts with an e-mail address"),
                contacts["no_email"],
                contacts["total"],
                reverse("contacts") + "?sort=email",
            ),
            QualityCheck(
                "contact_phone",
                _("Contacts with a phone number"),
                contacts["no_phone"],
                contacts["total"],
                reverse("contacts"),
            ),
            QualityCheck(
                "company_reach",
                _("Companies with a phone or website"),
                companies["no_phone"],
                companies["total"],
                reverse("companies"),
            ),
            QualityCheck(
                "deal_close",
                _("Open deals with an expected close date"),
                deals["no_close"],
                deals["total"],
                reverse("deal_list") + "?status=open",
            ),
            QualityCheck(
                "deal_amount",
                _("Open deals with an amount"),
                deals["no_amount"],
                deals["total"],
                reverse("deal_list") + "?status=open&sort=amount",
            ),
            QualityCheck(
                "contact_unique",
                _("Contacts without a duplicate e-mail"),
                duplicates,
                contacts["total"],
                reverse("contacts") + "?sort=email",
            ),
        ]
    )
