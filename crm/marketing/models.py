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
