"""The guided start of a workspace: its profile, readiness answers, progress and baseline.

These tables live in each workspace's schema (the public signup is ``onboarding.signups``).
What can be read from the CRM's own data (a pipeline configured, records, teammates, a first
deal) is never stored here: the steps derive it. What only the admin can say (industry,
fiscal year, goals, sponsor, key users, dates) is.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

#: Months 1–12 (January–December).
MONTH_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]


class Industry(models.TextChoices):
    """What the company sells, and so which sales process template fits it."""

    B2B_SERVICES = "b2b_services", _("Business services")
    WHOLESALE = "wholesale", _("Wholesale and distribution")
    RETAIL = "retail", _("Retail")
    EDUCATION = "education", _("Training and education")
    TRAVEL = "travel", _("Travel")
    SOFTWARE = "software", _("Software")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    OTHER = "other", _("Something else")


class Headcount(models.TextChoices):
    """How many people work at the company."""

    MICRO = "1-10", _("1–10 people")
    SMALL = "11-50", _("11–50 people")
    MEDIUM = "51-200", _("51–200 people")
    LARGE = "201-500", _("201–500 people")
    ENTERPRISE = "500+", _("More than 500 people")


class Goal(models.TextChoices):
    """What the company wants the CRM for."""

    KEEP_CUSTOMERS = "keep_customers", _("Keep our customers")
    GROW_SALES = "grow_sales", _("Grow sales")
    BETTER_SERVICE = "better_service", _("Serve customers better")
    KNOW_BUSINESS = "know_business", _("Know how the business is doing")


class Step(models.TextChoices):
    """The steps of the guided start, in order."""

    PROFILE = "profile", _("Company profile")
    READINESS = "readiness", _("Goals and readiness")
    PROCESS = "process", _("Sales process")
    DATA = "data", _("Your data")
    TEAM = "team", _("Your team")
    FIRST_STEPS = "first_steps", _("First steps")


class GuidedStart(models.Model):
    """The workspace's guided start: one row (``pk=1``), created when the workspace is signed
    up for, so a workspace that existed before it is not interrupted.

    Holds the company profile beyond what the workspace row keeps (language, time zone,
    country and base currency live on the tenant), the readiness answers the implementation
    coach reads, and where the admin is in the wizard.
    """

    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    headcount = models.CharField(
        _("company size"), max_length=10, choices=Headcount.choices, blank=True
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in"), default=1, validators=MONTH_VALIDATORS
    )
    profile_saved_at = models.DateTimeField(null=True, blank=True)
    #: ``Goal`` values.
    goals = models.JSONField(_("goals"), default=list, blank=True)
    sponsor = models.CharField(_("executive sponsor"), max_length=150, blank=True)
    #: ``None`` until answered.
    process_written = models.BooleanField(_("sales process written down"), null=True, blank=True)
    rapid_expansion = models.BooleanField(_("growing fast"), default=False)
    newly_founded = models.BooleanField(_("newly founded"), default=False)
    turnover_peak_month = models.PositiveSmallIntegerField(
        _("staff turnover peaks in"), null=True, blank=True, validators=MONTH_VALIDATORS
    )
    training_on = models.DateField(_("training"), null=True, blank=True)
    go_live_on = models.DateField(_("go-live"), null=True, blank=True)
    readiness_saved_at = models.DateTimeField(null=True, blank=True)
    #: The day the implementation plan starts (the first time readiness was answered).
    plan_started_on = models.DateField(null=True, blank=True)
    #: ``Step`` values the admin chose to skip (a step done by data is done, skipped or not).
    skipped_steps = models.JSONField(default=list, blank=True)
    #: The step after the last one saved or skipped: where "continue" resumes.
    resume_step = models.CharField(max_length=20, choices=Step.choices, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("guided start")
        verbose_name_plural = _("guided starts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start_month__gte=1)
                & models.Q(fiscal_year_start_month__lte=12),
                name="onboarding_fiscal_month_valid",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Guided start"))

    def goal_labels(self) -> list[str]:
        """The chosen goals in words, in the order of ``Goal``."""
        return [str(label) for value, label in Goal.choices if value in (self.goals or [])]


class KeyUser(models.Model):
    """A department's key user, who learns Rapport first and trains the others, and their
    backup, because key users leave.

    People are named by email so they can be chosen before they are invited; they are matched
    to accounts by address.
    """

    department = models.CharField(_("department"), max_length=100)
    email = models.EmailField(_("key user"))
    backup_email = models.EmailField(_("backup"), blank=True)
    #: The month staff turnover peaks in this department (empty: the company's month).
    turnover_peak_month = models.PositiveSmallIntegerField(
        _("turnover peaks in"), null=True, blank=True, validators=MONTH_VALIDATORS
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("key user")
        verbose_name_plural = _("key users")

    def __str__(self) -> str:
        return f"{self.department}: {self.email}"


class SampleRecord(models.Model):
    """A CRM record created as sample data, so removing the samples deletes exactly these.

    Rows stay after removal (``removed_at``) so adoption figures keep ignoring the audit
    entries the samples left behind.
    """

    #: A ``crm.ObjectType`` value (company, contact, lead, deal, activity).
    object_type = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("sample record")
        verbose_name_plural = _("sample records")
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id"], name="onboarding_sample_record_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}"


class UserStart(models.Model):
    """One person's start: how often they searched (the first-steps checklist asks for a
    search, which leaves no record) and whether they put the checklist away."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="start"
    )
    #: Searches counted at most once a minute (the palette asks on every keystroke).
    searches = models.PositiveIntegerField(default=0)
    last_searched_at = models.DateTimeField(null=True, blank=True)
    first_steps_dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("user start")
        verbose_name_plural = _("user starts")

    def __str__(self) -> str:
        return str(self.user)


class GoLiveBaseline(models.Model):
    """The sales figures of the period before go-live, recorded once on go-live, so the
    return on the CRM can be shown later against the same measures."""

    go_live_on = models.DateField(_("go-live"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    period_days = models.PositiveSmallIntegerField(_("days measured"))
    currency = models.CharField(_("currency"), max_length=3)
    won_deals = models.PositiveIntegerField(_("deals won"))
    lost_deals = models.PositiveIntegerField(_("deals lost"))
    #: Percent of closed deals that were won; empty when none closed.
    win_rate = models.DecimalField(_("win rate"), max_digits=5, decimal_places=1, null=True)
    average_sales_cycle_days = models.DecimalField(
        _("average sales cycle (days)"), max_digits=7, decimal_places=1, null=True
    )
    sellers = models.PositiveIntegerField(_("people selling"))
    activities_per_seller = models.DecimalField(
        _("activities per person"), max_digits=9, decimal_places=1, default=Decimal(0)
    )
    revenue_per_seller = models.DecimalField(
        _("revenue per person"), max_digits=16, decimal_places=2, default=Decimal(0)
    )

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("go-live baseline")
        verbose_name_plural = _("go-live baselines")

    def __str__(self) -> str:
        return f"{self.go_live_on}"
