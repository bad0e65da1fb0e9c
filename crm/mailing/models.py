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
