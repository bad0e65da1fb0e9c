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
from django.db.models.functions import TruncWeek, Upper
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
    """Open deals with an open activity planned (due now or later), and all open deals: a
    semi-join (one pass over the planned activities), not a lookup per deal."""
    planned = Activity.objects.filter(
        deal=OuterRef("pk"), done_at__isnull=True, due_at__gte=timezone.now()
    )
    open_deals = Deal.objects.filter(stage__kind=StageKind.OPEN).order_by()
    return open_deals.filter(Exists(planned)).count(), open_deals.count()


@dataclass(frozen=True)
class Duplicates:
    """Contacts sharing an e-mail address with another (case-insensitive), counted once per
    extra contact: among all contacts, those created before a moment and those since."""

    all: int
    before: int
    since: int


def duplicate_emails(cutoff: datetime.datetime | None = None) -> Duplicates:
    """:class:`Duplicates` around ``cutoff`` (without one, ``before`` and ``since`` are 0), in
    one grouped pass over the contacts with an e-mail address."""
    splits: dict[str, Any] = {}
    if cutoff is not None:
        splits["before"] = Count("pk", filter=Q(created_at__lt=cutoff))
        splits["since"] = Count("pk", filter=Q(created_at__gte=cutoff))
    by_address: Any = (
        Contact.objects.exclude(email="").annotate(email_key=Upper("email")).order_by()
    )
    groups = (
        by_address.values("email_key")
        .annotate(group_size=Count("pk"), **splits)
        .filter(group_size__gt=1)
        .values_list("group_size", *splits)
    )
    totals = [0, 0, 0]
    for counts in groups:
        for index, count in enumerate(counts):
            totals[index] += max(count - 1, 0)
    return Duplicates(*totals)


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


def _window_counts(
    queryset: Any, cutoff: datetime.datetime | None, measures: dict[str, Q | None]
) -> dict[str, dict[str, int]]:
    """Each measure (rows matching a condition; ``None``: all rows) among all rows and, with
    a ``cutoff``, among those created before it and since: one scan of ``queryset``."""
    windows: dict[str, Q] = {"all": Q()}
    if cutoff is not None:
        windows |= {"before": Q(created_at__lt=cutoff), "since": Q(created_at__gte=cutoff)}
    aggregates = {}
    for window, in_window in windows.items():
        for measure, condition in measures.items():
            matching = in_window & condition if condition is not None else in_window
            aggregates[f"{window}__{measure}"] = (
                Count("pk", filter=matching) if matching else Count("pk")
            )
    row = queryset.aggregate(**aggregates)
    return {window: {m: row[f"{window}__{m}"] for m in measures} for window in windows}


def data_qualities(
    cutoff: datetime.datetime | None = None, *, duplicates: Duplicates | None = None
) -> dict[str, DataQuality]:
    """The data-quality checks over all records (``"all"``) and, with a ``cutoff``, over the
    records created before it and since (``"before"``, ``"since"``: what was entered before
    go-live against what was entered since). One scan per record kind; ``duplicates`` when
    the caller has them (precomputed), else counted here."""
    contacts = _window_counts(
        Contact.objects.all(),
        cutoff,
        {"total": None, "no_email": Q(email=""), "no_phone": Q(phone="", mobile="")},
    )
    companies = _window_counts(
        Company.objects.all(), cutoff, {"total": None, "no_phone": Q(phone="", domain="")}
    )
    deals = _window_counts(
        Deal.objects.filter(stage__kind=StageKind.OPEN),
        cutoff,
        {
            "total": None,
            "no_close": Q(expected_close_on__isnull=True),
            "no_amount": Q(amount=0),
        },
    )
    duplicates = duplicates or duplicate_emails(cutoff)
    return {
        window: _quality(
            contacts[window], companies[window], deals[window], getattr(duplicates, window)
        )
        for window in contacts
    }


def _quality(
    contacts: dict[str, int], companies: dict[str, int], deals: dict[str, int], duplicates: int
) -> DataQuality:
    from django.utils.translation import gettext as _

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
