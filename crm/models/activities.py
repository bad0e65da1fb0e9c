"""Calls, meetings, tasks, logged emails, notes and letters, linked to the records they concern."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Greatest, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models.deals import Deal
from crm.models.records import Company, Contact, Lead
from crm.models.validation import (
    MAX_YEARS_AHEAD,
    duration_validators,
    too_far_ahead,
    years_ahead,
)
from crm.models.visibility import OwnedQuerySet

#: Clocks of browsers and servers disagree a little; "done" that soon ahead is "done now".
DONE_CLOCK_SKEW = timedelta(minutes=5)


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    TASK = "task", _("Task")
    EMAIL = "email", _("Email")
    NOTE = "note", _("Note")
    LETTER = "letter", _("Letter")


#: Tabler icon per kind.
ACTIVITY_ICONS = {
    ActivityKind.CALL: "ti-phone",
    ActivityKind.MEETING: "ti-users",
    ActivityKind.TASK: "ti-checkbox",
    ActivityKind.EMAIL: "ti-mail",
    ActivityKind.NOTE: "ti-note",
    ActivityKind.LETTER: "ti-mail-opened",
}


def activity_search_vector() -> SearchVector:
    """The words of an activity's subject, notes and outcome, as its search index holds them.

    Searches filter on this very expression, so PostgreSQL answers them from the GIN index on
    it; an expression index needs no stored column, so adding it rewrites no table.
    """
    return SearchVector("subject", "body", "outcome", config="simple")


class ActivityQuerySet(OwnedQuerySet["Activity"]):
    def open(self) -> ActivityQuerySet:
        return self.filter(done_at__isnull=True)

    def done(self) -> ActivityQuerySet:
        return self.filter(done_at__isnull=False)

    def overdue(self) -> ActivityQuerySet:
        return self.open().filter(due_at__lt=timezone.now())

    def linked_to(self, record: Any) -> ActivityQuerySet:
        """Activities about ``record`` (a contact, company, deal or lead)."""
        field = LINK_FIELDS[type(record)]
        return self.filter(**{field: record})

    def linked_to_any(self, records: dict[str, Any]) -> ActivityQuerySet:
        condition = Q()
        for field, record in records.items():
            condition |= Q(**{field: record})
        return self.filter(condition) if condition else self.none()


class Activity(models.Model):
    """Something done or to do with a customer. Notes and logged emails are born done."""

    kind = models.CharField(_("type"), max_length=10, choices=ActivityKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), null=True, blank=True, validators=duration_validators
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="activities_owned",
        verbose_name=_("owner"),
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("contact"),
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("company"),
    )
    deal = models.ForeignKey(
        Deal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("deal"),
    )
    lead = models.ForeignKey(
        Lead,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("lead"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            # Every sort of the list, for everyone and for a rep (owner first), in the keyset
            # order with its ``id`` tiebreaker; by type too, since e-mails, notes and letters
            # have no due date and sort after every dated activity.
            models.Index(fields=["due_at", "id"], name="crm_activity_due_idx"),
            models.Index(
                fields=["owner", "due_at", "id"],
                include=["done_at"],
                name="crm_activity_owner_due_idx",
            ),
            models.Index(
                fields=["kind", "due_at", "id"],
                include=["done_at"],
                name="crm_activity_kind_due_idx",
            ),
            models.Index(
                fields=["owner", "kind", "due_at", "id"],
                include=["done_at"],
                name="crm_activity_owner_kind_idx",
            ),
            models.Index(fields=["-created_at", "-id"], name="crm_activity_created_idx"),
            models.Index(
                fields=["owner", "created_at", "id"], name="crm_activity_owner_created_idx"
            ),
            models.Index(fields=["subject", "id"], name="crm_activity_subject_idx"),
            models.Index(fields=["owner", "subject", "id"], name="crm_activity_owner_subject_idx"),
            # Open activities (the list's default, the dashboard, overdue, today) are a small
            # part of the history: their own indexes skip the done ones.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(done_at__isnull=True),
                name="crm_activity_open_due_idx",
            ),
            models.Index(
                fields=["owner", "due_at", "id"],
                condition=Q(done_at__isnull=True),
                name="crm_activity_open_owner_idx",
            ),
            models.Index(
                fields=["kind", "due_at", "id"],
                condition=Q(done_at__isnull=True),
                name="crm_activity_open_kind_idx",
            ),
            models.Index(
                fields=["owner", "kind", "due_at", "id"],
                condition=Q(done_at__isnull=True),
                name="crm_activity_open_owner_kind",
            ),
            # Activities done in a period per owner and kind (insights' rep activity):
            # an index-only scan of the period instead of reading the whole table.
            models.Index(
                fields=["done_at"],
                include=["kind", "owner"],
                condition=Q(done_at__isnull=False),
                name="crm_activity_done_idx",
            ),
            # A record's last touch (created or done, whichever is later; ``GREATEST`` skips
            # a NULL ``done_at``): segments' "no activity for N days" reads the recent ones
            # from this index alone (the columns of the expression are included so
            # PostgreSQL can answer from the index) and anti-joins them with a hash.
            models.Index(
                Greatest("created_at", "done_at"),
                include=["contact", "company", "created_at", "done_at"],
                name="crm_activity_last_touch_idx",
            ),
            models.Index(fields=["contact", "-created_at"], name="crm_activity_contact_idx"),
            models.Index(fields=["company", "-created_at"], name="crm_activity_company_idx"),
            models.Index(fields=["deal", "-created_at"], name="crm_activity_deal_idx"),
            models.Index(fields=["lead", "-created_at"], name="crm_activity_lead_idx"),
            GinIndex(
                OpClass(Upper("subject"), name="gin_trgm_ops"), name="crm_activity_subject_trgm"
            ),
            GinIndex(activity_search_vector(), name="crm_activity_search_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("activity_update", args=[self.pk])

    def clean(self) -> None:
        """A due date within ten years of today either way, and nothing done in the future.

        An activity may be done before or after it was due, and logged after the fact, so
        due, done and created follow no fixed order; what is refused are dates no one
        means: a year mistyped, or a call marked as done tomorrow.
        """
        super().clean()
        errors: dict[str, Any] = {}
        now = timezone.now()
        if self.due_at is not None:
            due = timezone.localdate(self.due_at)
            if too_far_ahead(due) or due < years_ahead(-MAX_YEARS_AHEAD):
                errors["due_at"] = _(
                    "The due date is more than %(years)d years from today. Check the year."
                ) % {"years": MAX_YEARS_AHEAD}
        if self.done_at is not None and self.done_at > now + DONE_CLOCK_SKEW:
            # Not keyed to the field: forms that edit an activity do not show ``done_at``.
            errors[NON_FIELD_ERRORS] = _("An activity cannot be done in the future.")
        if errors:
            raise ValidationError(errors)

    @property
    def icon(self) -> str:
        return ACTIVITY_ICONS.get(ActivityKind(self.kind), "ti-point")

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_at is not None and self.due_at < timezone.now()

    @property
    def when(self) -> Any:
        """The moment the activity belongs to on a timeline."""
        return self.done_at or self.due_at or self.created_at


#: Which activity field links to each record type.
LINK_FIELDS: dict[type[models.Model], str] = {
    Contact: "contact",
    Company: "company",
    Deal: "deal",
    Lead: "lead",
}
