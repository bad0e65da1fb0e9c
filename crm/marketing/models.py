"""Web-to-lead forms and their submissions, segments, and telesales call queues."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.models import Contact, Lead


class Assignment(models.TextChoices):
    FIXED = "fixed", _("One owner")
    ROUND_ROBIN = "round_robin", _("Round-robin")


class WebForm(models.Model):
    """A form visitors fill in on the workspace's hosted page or on the customer's own site.

    ``fields`` lists the chosen fields in order, each ``{"key": …, "required": bool,
    "labels": {"en": …, "zh-hans": …, "zh-hant": …}}``; keys come from
    :func:`crm.marketing.webforms.field_catalogue` (standard fields and custom fields).
    """

    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("accepting submissions"), default=True)
    fields: models.JSONField[list[dict[str, Any]], list[dict[str, Any]]] = models.JSONField(
        _("fields"), default=list, blank=True
    )
    title = models.CharField(_("page heading"), max_length=200, blank=True)
    thank_you_message = models.TextField(_("thank-you message"), max_length=2000, blank=True)
    redirect_url = models.URLField(_("redirect after submitting"), blank=True)
    assignment = models.CharField(
        _("assign new leads"), max_length=20, choices=Assignment.choices, default=Assignment.FIXED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="web_forms_owned",
        verbose_name=_("owner"),
    )
    round_robin_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="web_forms_in_rotation",
        verbose_name=_("rotate among"),
    )
    #: How many leads the rotation has handed out (the next goes to ``count % len(users)``).
    round_robin_count = models.PositiveIntegerField(default=0)
    auto_reply = models.BooleanField(_("send an automatic reply"), default=False)
    auto_reply_subject = models.CharField(_("reply subject"), max_length=200, blank=True)
    auto_reply_body = models.TextField(_("reply text"), max_length=5000, blank=True)
    double_opt_in = models.BooleanField(
        _("ask to confirm the address (double opt-in)"), default=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketing:webform_detail", args=[self.pk])


class SubmissionResult(models.TextChoices):
    LEAD_CREATED = "lead_created", _("New lead")
    CONTACT_UPDATED = "contact_updated", _("Contact updated")


class WebFormSubmission(models.Model):
    """One accepted submission: what was sent, where from, and the record it became."""

    form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="submissions")
    result = models.CharField(_("result"), max_length=20, choices=SubmissionResult.choices)
    lead = models.ForeignKey(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="web_submissions"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="web_submissions"
    )
    email = models.EmailField(_("email"), blank=True)
    data: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("submitted values"), default=dict
    )
    utm_source = models.CharField("utm_source", max_length=200, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=200, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=200, blank=True)
    utm_term = models.CharField("utm_term", max_length=200, blank=True)
    utm_content = models.CharField("utm_content", max_length=200, blank=True)
    page_url = models.CharField(_("page"), max_length=1000, blank=True)
    referrer = models.CharField(_("referrer"), max_length=1000, blank=True)
    confirmed_at = models.DateTimeField(_("address confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("web form submission")
        verbose_name_plural = _("web form submissions")
        indexes = [
            models.Index(fields=["form", "-created_at", "-id"], name="marketing_submission_log_idx")
        ]

    def __str__(self) -> str:
        return f"{self.form} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def record(self) -> Lead | Contact | None:
        return self.lead or self.contact


class SegmentKind(models.TextChoices):
    DYNAMIC = "dynamic", _("Dynamic (a saved filter)")
    STATIC = "static", _("Static list")


class SegmentRecordType(models.TextChoices):
    CONTACT = "contact", _("Contacts")
    COMPANY = "company", _("Companies")


class Segment(models.Model):
    """A group of contacts or companies to market to or call.

    A dynamic segment is a saved filter (``filters`` holds the query parameters of
    :class:`crm.marketing.forms.SegmentFilterForm`), evaluated when used, so its members change
    with the data; a static list holds the contacts added to it by hand (``members``).
    """

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("type"), max_length=10, choices=SegmentKind.choices, default=SegmentKind.DYNAMIC
    )
    record_type = models.CharField(
        _("of"), max_length=10, choices=SegmentRecordType.choices, default=SegmentRecordType.CONTACT
    )
    filters: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("filters"), default=dict, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="segments_owned",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="static") | models.Q(record_type="contact"),
                name="marketing_static_segments_hold_contacts",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketing:segment_detail", args=[self.pk])

    @property
    def is_static(self) -> bool:
        return self.kind == SegmentKind.STATIC


class SegmentMember(models.Model):
    """A contact on a static list."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="segment_memberships"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("list member")
        verbose_name_plural = _("list members")
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "contact"], name="marketing_segment_member_unique"
            )
        ]
        indexes = [models.Index(fields=["contact"], name="marketing_member_contact_idx")]

    def __str__(self) -> str:
        return f"{self.contact} ∈ {self.segment}"


class CallQueue(models.Model):
    """Contacts to phone, built from a segment or a static list, worked one call at a time.

    A shared queue is worked by the whole team; a personal one by its owner only. Entries are
    copied from the segment when the queue is built or refreshed, so working the queue never
    evaluates the segment again.
    """

    name = models.CharField(_("name"), max_length=120)
    segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        related_name="call_queues",
        verbose_name=_("segment or list"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="call_queues_owned",
        verbose_name=_("owner"),
    )
    is_shared = models.BooleanField(_("shared with the team"), default=True)
    daily_target = models.PositiveSmallIntegerField(_("daily target (calls per rep)"), default=40)
    retry_minutes = models.PositiveIntegerField(
        _("try again after no answer (minutes)"), default=120
    )
    max_attempts = models.PositiveSmallIntegerField(_("attempts before giving up"), default=5)
    built_at = models.DateTimeField(_("last built"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("call queue")
        verbose_name_plural = _("call queues")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketing:queue_detail", args=[self.pk])


class EntryStatus(models.TextChoices):
    WAITING = "waiting", _("To call")
    DONE = "done", _("Done")


class CallOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    CALL_BACK = "call_back", _("Call back")
    INTERESTED = "interested", _("Interested")
    NOT_INTERESTED = "not_interested", _("Not interested")
    DO_NOT_CALL = "do_not_call", _("Do not call")


class QueueEntry(models.Model):
    """A contact in a queue: when it may be called next, and who is calling it now.

    ``leased_by`` / ``lease_until`` hand the contact to one rep for a few minutes; the row is
    taken with ``SELECT … FOR UPDATE SKIP LOCKED``, so two reps asking at the same moment get
    two different contacts. A callback is ``reserved_for`` the rep who arranged it.
    """

    queue = models.ForeignKey(CallQueue, on_delete=models.CASCADE, related_name="entries")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="queue_entries")
    status = models.CharField(
        _("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.WAITING
    )
    due_at = models.DateTimeField(_("call from"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_outcome = models.CharField(
        _("last outcome"), max_length=20, choices=CallOutcome.choices, blank=True
    )
    reserved_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    leased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lease_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("queue entry")
        verbose_name_plural = _("queue entries")
        constraints = [
            models.UniqueConstraint(fields=["queue", "contact"], name="marketing_entry_unique")
        ]
        indexes = [
            models.Index(
                fields=["queue", "due_at", "id"],
                condition=models.Q(status="waiting"),
                name="marketing_entry_next_idx",
            ),
            models.Index(fields=["contact"], name="marketing_entry_contact_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.queue}: {self.contact}"


class QueueCall(models.Model):
    """One call made from a queue, for the leaderboard and the daily targets."""

    queue = models.ForeignKey(CallQueue, on_delete=models.CASCADE, related_name="calls")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, related_name="queue_calls"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="queue_calls"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices)
    activity = models.ForeignKey(
        "crm.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    called_at = models.DateTimeField(_("called"), auto_now_add=True)

    class Meta:
        ordering = ["-called_at", "-id"]
        verbose_name = _("queue call")
        verbose_name_plural = _("queue calls")
        indexes = [
            models.Index(fields=["queue", "called_at"], name="marketing_call_queue_day_idx"),
            models.Index(fields=["rep", "called_at"], name="marketing_call_rep_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rep} → {self.contact}: {self.outcome}"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CANCELED = "canceled", _("Canceled")


class Campaign(models.Model):
    """An e-mail to every contact of a segment, sent in throttled batches by the bulk workers.

    The message is the chosen template's subject and text, or its own; merge fields are
    :mod:`crm.mailing.merge`'s. Recipients are copied from the segment when sending starts.
    """

    name = models.CharField(_("name"), max_length=120)
    segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        related_name="campaigns",
        verbose_name=_("segment or list"),
    )
    template = models.ForeignKey(
        "mailing.EmailTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("e-mail template"),
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="campaigns_sent",
        verbose_name=_("sender"),
    )
    recipient_count = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketing:campaign_detail", args=[self.pk])

    @property
    def message_subject(self) -> str:
        return self.template.subject if self.template else self.subject

    @property
    def message_body(self) -> str:
        return self.template.body if self.template else self.body

    @property
    def is_editable(self) -> bool:
        return self.status in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)


class RecipientStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")
    BOUNCED = "bounced", _("Bounced")
    COMPLAINED = "complained", _("Marked as spam")


class SkipReason(models.TextChoices):
    OPTED_OUT = "opted_out", _("Opted out of e-mail")
    NO_ADDRESS = "no_address", _("No e-mail address")
    SUPPRESSED = "suppressed", _("Address suppressed (bounce or complaint)")
    GONE = "gone", _("Contact deleted")


class CampaignRecipient(models.Model):
    """One contact of a campaign: sent once, then opened, clicked, bounced… via ``token``."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, related_name="campaign_receipts"
    )
    email = models.CharField(_("email"), max_length=254, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RecipientStatus.choices, default=RecipientStatus.QUEUED
    )
    reason = models.CharField(_("reason"), max_length=20, choices=SkipReason.choices, blank=True)
    token = models.CharField(max_length=40, unique=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("first clicked"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact"], name="marketing_recipient_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["campaign", "id"],
                condition=models.Q(status="queued"),
                name="marketing_rcpt_queue_idx",
            ),
            models.Index(fields=["contact"], name="marketing_rcpt_contact_idx"),
            models.Index(fields=["email"], name="marketing_rcpt_email_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.email}"


class SuppressionReason(models.TextChoices):
    BOUNCE = "bounce", _("Bounced")
    COMPLAINT = "complaint", _("Marked as spam")


class Suppression(models.Model):
    """An address no campaign writes to again (stored lower-case)."""

    email = models.CharField(_("email"), max_length=254, unique=True)
    reason = models.CharField(_("reason"), max_length=10, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self) -> str:
        return self.email
