"""Scheduled reports: each due report e-mailed to its owner as CSV, as the owner sees it."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.mail import EmailMessage
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.policies import current_workspace
from crm.insights.models import ReportFrequency, SavedReport
from crm.insights.report_runs import report_run

#: A report sent this recently is not sent again (one e-mail per due hour).
RESEND_AFTER = datetime.timedelta(minutes=50)


def _zone(*names: str) -> ZoneInfo:
    for name in names:
        try:
            if name:
                return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def is_due(report: SavedReport, now: datetime.datetime, zone: ZoneInfo) -> bool:
    """Due at the report's local hour: daily, on Mondays, or on the 1st; not sent this hour."""
    local = now.astimezone(zone)
    if not report.frequency or local.hour != report.hour:
        return False
    if report.frequency == ReportFrequency.WEEKLY and local.weekday() != 0:
        return False
    if report.frequency == ReportFrequency.MONTHLY and local.day != 1:
        return False
    return report.last_sent_at is None or now - report.last_sent_at >= RESEND_AFTER


def reports_send_due(*, now: datetime.datetime | None = None) -> int:
    """Send every due report; returns how many went out."""
    now = now or timezone.now()
    workspace = current_workspace()
    sent = 0
    due = SavedReport.objects.exclude(frequency="").filter(
        Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - RESEND_AFTER)
    )
    for report in due.select_related("owner"):
        owner = report.owner
        zone = _zone(getattr(owner, "time_zone", ""), getattr(workspace, "time_zone", ""))
        if not owner.is_active or not is_due(report, now, zone):
            continue
        with (
            timezone.override(zone),
            translation.override(
                getattr(owner, "language", "") or getattr(workspace, "language", "") or "en"
            ),
        ):
            run = report_run(user=owner, query=QueryDict(report.query))
            if run.result is None:
                continue
            message = EmailMessage(
                subject=_("Report: %(name)s") % {"name": report.name},
                body=_("Your report “%(name)s” is attached (%(rows)d rows).")
                % {"name": report.name, "rows": len(run.result.rows)},
                to=[owner.email],
            )
            message.attach("report.csv", run.result.csv_text(), "text/csv")
            message.send()
        report.last_sent_at = now
        report.save(update_fields=["last_sent_at"])
        sent += 1
    return sent
