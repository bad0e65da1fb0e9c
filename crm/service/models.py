"""Customer service: cases, their timeline, SLA policies, queues and the knowledge base.

Every case is visible to every signed-in member of the workspace (a service desk is shared
work: whoever picks up the phone may need any case); read-only members cannot change one.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import Company, Contact, Deal


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


#: Statuses in which the SLA clock runs (waiting on the customer pauses it).
CLOCK_RUNNING = (CaseStatus.NEW, CaseStatus.OPEN)
#: Statuses of a case still being worked.
ACTIVE_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.WAITING)


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web")
    IN_PERSON = "in_person", _("In person")


def default_work_days() -> list[int]:
    """Monday to Friday (``datetime.date.weekday()`` numbers)."""
    return [0, 1, 2, 3, 4]


class ServiceSettings(models.Model):
    """The workspace's service policy: one row (``pk=1``) per schema.

    Business hours are read in the workspace's time zone; public holidays come from the
    ``holidays`` library for the workspace's country.
    """

    work_days = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("working days"),
        default=default_work_days,
    )
    work_starts = models.TimeField(_("working day starts"), default=datetime.time(9, 0))
    work_ends = models.TimeField(_("working day ends"), default=datetime.time(18, 0))
    warning_percent = models.PositiveSmallIntegerField(
        _("warn when this share of the target is used (%)"), default=80
    )
    escalate_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalate breaches to"),
        help_text=_("Used when the case's queue has no manager."),
    )
    web_form_enabled = models.BooleanField(_("public case form"), default=True)
    help_center_enabled = models.BooleanField(_("public help page"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service settings")
        verbose_name_plural = _("service settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(work_starts__lt=models.F("work_ends")),
                name="service_settings_hours_order",
            )
        ]

    def __str__(self) -> str:
        return str(_("Service settings"))


class SlaPolicy(models.Model):
    """Targets for one priority, in business minutes."""

    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, unique=True)
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (minutes)"))

    class Meta:
        ordering = ["priority"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.get_priority_display()


class Queue(models.Model):
    """A named team queue (e.g. "Billing", "Technical"); its manager receives escalations."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("manager"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A workspace-defined kind of request ("Invoice question", "Defect", …)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class CaseSequence(models.Model):
    """The last case number given in the workspace (one row, advanced atomically)."""

    last_number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.last_number)


class Case(models.Model):
    """A customer's request, worked until it is resolved, with SLA targets and a timeline."""

    number = models.BigIntegerField(_("number"), unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=20_000)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases",
        verbose_name=_("contact"),
    )  # fmt: skip
    company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases",
        verbose_name=_("company"),
    )  # fmt: skip
    deal = models.ForeignKey(
        Deal, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases",
        verbose_name=_("deal"),
    )  # fmt: skip
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases",
        verbose_name=_("category"),
    )  # fmt: skip
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="cases_assigned", verbose_name=_("assignee"),
    )  # fmt: skip
    queue = models.ForeignKey(
        Queue, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases",
        verbose_name=_("queue"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # SLA: due moments computed from ``created_at`` plus the targets and the business time
    # spent waiting on the customer; the warning moments come at the workspace's share.
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_response_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("SLA paused since"), null=True, blank=True)
    paused_business_minutes = models.PositiveIntegerField(default=0)
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    csat_score = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    csat_comment = models.TextField(_("satisfaction comment"), blank=True, max_length=2000)
    csat_answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="service_case_created_idx"),
            models.Index(fields=["-updated_at", "-id"], name="service_case_updated_idx"),
            models.Index(fields=["status", "-number"], name="service_case_status_idx"),
            models.Index(
                fields=["assignee", "status", "-number"], name="service_case_assignee_idx"
            ),
            models.Index(fields=["resolution_due_at", "id"], name="service_case_due_idx"),
            models.Index(
                fields=["first_response_due_at"],
                name="service_case_fr_due_open_idx",
                # Two equalities, not IN: PostgreSQL prints an IN list differently once
                # re-read, and schema clones compare index definitions as text.
                condition=Q(status="new") | Q(status="open"),
            ),
            GinIndex(
                OpClass(Upper("subject"), name="gin_trgm_ops"), name="service_case_subject_trgm"
            ),
            # The list's "SLA breached" filter (a small share of the cases): its capped count
            # and its first page in the default order, without reading every case.
            models.Index(
                fields=["-number", "-id"],
                name="service_case_breached_idx",
                condition=Q(first_response_breached_at__isnull=False)
                | Q(resolution_breached_at__isnull=False),
            ),
            # The list's CSAT average over the last days: answered cases only, from the index.
            models.Index(
                fields=["created_at"],
                include=["csat_score"],
                name="service_case_csat_idx",
                condition=Q(csat_score__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(csat_score__isnull=True) | Q(csat_score__gte=1, csat_score__lte=5),
                name="service_case_csat_range",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("service_case_detail", args=[self.pk])

    @property
    def owner(self) -> Any:
        """Who works the case (as the global search shows a record's owner)."""
        return self.assignee

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_breached(self) -> bool:
        return bool(self.first_response_breached_at or self.resolution_breached_at)


class CaseEventKind(models.TextChoices):
    CREATED = "created", _("Opened")
    REPLY = "reply", _("Reply to the customer")
    NOTE = "note", _("Internal note")
    STATUS = "status", _("Status changed")
    PRIORITY = "priority", _("Priority changed")
    ASSIGNMENT = "assignment", _("Assigned")
    BREACH = "breach", _("SLA breached")
    ESCALATION = "escalation", _("Escalated")
    CSAT = "csat", _("Satisfaction answer")
    CUSTOMER = "customer", _("Message from the customer")


class EmailState(models.TextChoices):
    NONE = "", _("Not e-mailed")
    QUEUED = "queued", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent")


class CaseEvent(models.Model):
    """One entry of a case's timeline: a reply, an internal note, a change, an escalation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=CaseEventKind.choices)
    body = models.TextField(_("message"), blank=True, max_length=20_000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    #: For a reply: where it was e-mailed and how that went.
    email_to = models.EmailField(_("e-mailed to"), blank=True)
    email_state = models.CharField(
        max_length=10, choices=EmailState.choices, default=EmailState.NONE, blank=True
    )
    #: For changes: ``{"from": …, "to": …}`` in display form.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case", "-created_at", "-id"], name="service_event_case_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.case_id}"


class ArticleVisibility(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    PUBLIC = "public", _("Public")


class ArticleFormat(models.TextChoices):
    MARKDOWN = "markdown", _("Markdown")
    PLAIN = "plain", _("Plain text")


class Article(models.Model):
    """A knowledge-base article; public ones appear on the workspace's help page."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), max_length=100_000)
    body_format = models.CharField(
        _("format"), max_length=10, choices=ArticleFormat.choices, default=ArticleFormat.MARKDOWN
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=ArticleVisibility.choices,
        default=ArticleVisibility.INTERNAL,
    )
    language = models.CharField(
        _("language"), max_length=16, choices=settings.LANGUAGES, default="en"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("author"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            GinIndex(
                OpClass(Upper("title"), name="gin_trgm_ops"), name="service_article_title_trgm"
            ),
        ]

    def __str__(self) -> str:
        return self.title
