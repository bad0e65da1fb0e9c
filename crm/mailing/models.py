"""The workspace's e-mail templates, and each send from the CRM (with what was not sent)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class EmailTemplate(models.Model):
    """A reusable message with merge fields, written in one of the workspace's languages."""

    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(
        _("language"), max_length=16, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "language", name="mailing_template_name_language_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EmailBatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")


class EmailBatch(models.Model):
    """One send from the CRM to one or more contacts, worked through by a job.

    ``sent_contact_ids`` grows in the transaction that logs each e-mail on the contact's
    timeline, so a job that runs again sends nobody twice. ``skipped`` keeps who was not
    sent and why (opted out, no address), as shown to the sender.
    """

    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(
        EmailTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    contact_ids = models.JSONField(default=list)
    sent_contact_ids = models.JSONField(default=list)
    skipped = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=EmailBatchStatus.choices, default=EmailBatchStatus.QUEUED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("e-mail send")
        verbose_name_plural = _("e-mail sends")

    def __str__(self) -> str:
        return self.subject


class MailCategory(models.TextChoices):
    """Which opt-out rules an e-mail answers to.

    Transactional e-mail answers something the customer is doing with the business (a case
    reply, a quote, the confirmation a visitor asked for): a marketing opt-out or a campaign
    suppression does not stop it. Marketing e-mail (campaigns, messages written from the
    CRM to contacts) is not sent to contacts who opted out or to suppressed addresses.
    """

    TRANSACTIONAL = "transactional", _("Transactional")
    MARKETING = "marketing", _("Marketing")


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent")
    FAILED = "failed", _("Failed")


class OutboundEmail(models.Model):
    """One e-mail to one customer address: what must be sent, and what became of it.

    Written in the transaction of whatever caused it, under a ``key`` unique in the
    workspace (``service.reply:42``), so a rerun of the cause records nothing twice. The
    delivery locks the row, sends, logs the e-mail on the timeline (``activity``) and marks
    it sent in one transaction: a rerun sends nothing twice.
    """

    key = models.CharField(max_length=200, unique=True)
    category = models.CharField(max_length=16, choices=MailCategory.choices)
    #: What sent it (``sales.quote``, ``marketing.campaign``).
    source = models.CharField(max_length=40)
    to_email = models.CharField(_("to"), max_length=254)
    from_email = models.CharField(max_length=320, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=500)
    body = models.TextField(_("message"))
    html_body = models.TextField(blank=True)
    #: What the timeline shows as the message (empty: ``body``), e.g. without a footer.
    log_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        "crm.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lead = models.ForeignKey(
        "crm.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    company = models.ForeignKey(
        "crm.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deal = models.ForeignKey(
        "crm.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: The timeline entry written when it was sent.
    activity = models.ForeignKey(
        "crm.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: A hook registered with :func:`crm.mailing.hooks.mail_hook`, called with ``hook_args``
    #: in the transaction that marks the e-mail sent, not sent, or failed for good.
    hook = models.CharField(max_length=60, blank=True)
    hook_args = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    skip_reason = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")

    def __str__(self) -> str:
        return f"{self.source} → {self.to_email}"


class OutboundAttachment(models.Model):
    """A file sent with an e-mail, kept in PostgreSQL with it (never in the broker).

    Stored rather than made again at delivery: the job needs no knowledge of what made the
    file, a retry sends the very bytes that were recorded, and what the customer received
    can be told later.
    """

    email = models.ForeignKey(OutboundEmail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    mimetype = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename
