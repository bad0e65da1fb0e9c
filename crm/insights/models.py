"""Insights data: sales quotas per rep and month, customer values, saved reports, snapshots."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Quota(models.Model):
    """What a rep is expected to win in one month, in the workspace's base currency.

    Quotas are monthly; a longer period's quota is the sum of the months it touches. Set by
    an admin.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quotas",
        verbose_name=_("rep"),
    )
    #: The first day of the month.
    month = models.DateField(_("month"))
    amount = models.DecimalField(
        _("quota"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "owner_id"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(fields=["owner", "month"], name="insights_quota_once_a_month"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="insights_quota_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.month:%Y-%m}: {self.amount} {self.currency}"


class CustomerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    CONTACT = "contact", _("Contact")


class Segment(models.TextChoices):
    """RFM segments, from the best customers to those gone."""

    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    POTENTIAL = "potential", _("Potential")
    AT_RISK = "at_risk", _("At risk")
    HIBERNATING = "hibernating", _("Hibernating")
    LOST = "lost", _("Lost")


class CustomerValue(models.Model):
    """A customer's value from its won deals, precomputed by a periodic job.

    Recency, frequency and monetary value are scored 1–5 by quintiles of the workspace's own
    customers of the same kind (SQL ``NTILE``); ``segment`` follows from the scores. The
    whole table is rewritten by each refresh (``crm.insights.customer_value``).
    """

    kind = models.CharField(_("kind"), max_length=10, choices=CustomerKind.choices)
    record_id = models.BigIntegerField(_("record"))
    #: The owner of the company or contact (who sees it, who looks after it).
    owner_id = models.BigIntegerField(_("owner"), null=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    orders = models.PositiveIntegerField(_("won deals"))
    #: Lifetime value to date: the sum of the won deals, in the base currency.
    monetary = models.DecimalField(_("lifetime value"), max_digits=20, decimal_places=2)
    first_order_at = models.DateTimeField(_("first order"))
    last_order_at = models.DateTimeField(_("last order"))
    recency_days = models.PositiveIntegerField(_("days since last order"))
    #: Mean days between orders (empty with a single order).
    mean_gap_days = models.DecimalField(
        _("usual days between orders"), max_digits=10, decimal_places=1, null=True
    )
    r_score = models.PositiveSmallIntegerField("R")
    f_score = models.PositiveSmallIntegerField("F")
    m_score = models.PositiveSmallIntegerField("M")
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices)
    #: Among the top 20 % of the workspace's customers of this kind by lifetime value.
    top_customer = models.BooleanField(_("top 20 %"), default=False)
    #: The value won per year so far (run rate), as a projection of the next 12 months.
    projected_year = models.DecimalField(
        _("projected next 12 months"), max_digits=20, decimal_places=2
    )
    #: Overdue: at least two orders and no order for more than twice the usual gap.
    at_risk = models.BooleanField(_("at risk"), default=False)
    currency = models.CharField(_("currency"), max_length=3)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["-monetary", "id"]
        verbose_name = _("customer value")
        verbose_name_plural = _("customer values")
        constraints = [
            models.UniqueConstraint(fields=["kind", "record_id"], name="insights_value_once"),
        ]
        indexes = [
            models.Index(fields=["kind", "-monetary"], name="insights_value_rank_idx"),
            models.Index(fields=["owner_id", "kind", "-monetary"], name="insights_value_owner_idx"),
            # Customer-value conditions of segments, care touches and rules
            # (``crm.insights.flags``): index-only semi-joins on ``record_id``.
            models.Index(
                fields=["kind", "segment", "record_id"], name="insights_value_segment_idx"
            ),
            models.Index(
                fields=["kind", "record_id"],
                condition=models.Q(at_risk=True),
                name="insights_value_risk_idx",
            ),
            models.Index(
                fields=["kind", "record_id"],
                condition=models.Q(top_customer=True),
                name="insights_value_top_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}: {self.segment}"


class ReportFrequency(models.TextChoices):
    NEVER = "", _("Not scheduled")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly (Mondays)")
    MONTHLY = "monthly", _("Monthly (the 1st)")


class SavedReport(models.Model):
    """A report-builder query kept by its owner, shared with the workspace or not, and
    optionally e-mailed to its owner at a local hour (as the owner sees the records)."""

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_reports",
        verbose_name=_("owner"),
    )
    #: The report page's query string (record kind, filters, groupings, measure).
    query = models.CharField(_("query"), max_length=2000)
    shared = models.BooleanField(_("shared with the workspace"), default=False)
    frequency = models.CharField(
        _("e-mail"), max_length=10, choices=ReportFrequency.choices, blank=True, default=""
    )
    #: The hour of the day, in the owner's time zone, the e-mail goes out.
    hour = models.PositiveSmallIntegerField(
        _("at (hour)"), default=8, validators=[MinValueValidator(0), MaxValueValidator(23)]
    )
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")

    def __str__(self) -> str:
        return self.name


class Snapshot(models.Model):
    """A heavy workspace-wide aggregate precomputed by the hourly insights job (e.g. the
    win-probability evidence), read by the pages instead of computing it per request.

    ``key`` names the figure and what it depends on (e.g. the exchange rates used); a page
    finding no row for its key computes the figure live.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    data = models.JSONField(_("data"), default=dict)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("insights snapshot")
        verbose_name_plural = _("insights snapshots")

    def __str__(self) -> str:
        return self.key
