"""Billing emails to a workspace's admins, each sent at most once per subject.

A :class:`BillingNotice` row keyed by kind and subject (an invoice, a trial end, a
subscription) is written in the same transaction as the send is decided, so a retried
handler or a second reminder run never emails twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import tenant_context

from billing.models import BillingNotice, Plan
from core.locales import format_money
from tenants.models import Tenant
from tenants.selectors import workspace_url
from tenants.users import notifications

logger = logging.getLogger(__name__)

#: Subject line of each kind of billing email.
SUBJECTS = {
    "trial_ending": _("Your Rapport trial for %(workspace)s ends soon"),
    "payment_failed": _("Payment failed for %(workspace)s on Rapport"),
    "canceled": _("Your Rapport subscription for %(workspace)s has ended"),
    "receipt": _("Receipt for %(workspace)s on Rapport"),
}


def notice_send_on_commit(
    *, tenant: Tenant, kind: str, key: str, context: dict[str, str] | None = None
) -> None:
    """Record the email as a job in the current transaction; a worker sends it after commit.

    The job commits with the state that calls for it (a processed event, a canceled
    subscription), so the email cannot be lost between the two.
    """
    from billing.tasks import billing_notice_send_job

    billing_notice_send_job.enqueue(
        tenant_id=tenant.pk,
        kind=kind,
        key=key,
        context=dict(context or {}),
        dedupe_key=f"billing.notice:{kind}:{key}"[:200],
        workspace=tenant.schema_name,
    )


#: The notification preference (``tenants.users.notifications``) behind each kind of email.
#: Receipts and trial reminders can be turned off; payment failures and the end of a
#: subscription cannot, because they decide whether the workspace stays writable.
NOTIFICATION_KEYS = {
    "trial_ending": notifications.BILLING_TRIAL_ENDING,
    "payment_failed": notifications.BILLING_PAYMENT_FAILED,
    "canceled": notifications.BILLING_CANCELED,
    "receipt": notifications.BILLING_RECEIPT,
}
#: Kinds sent only to admins who verified their address: a receipt names the amount paid and
#: the invoice, and an unproven address (a typo at signup) may be someone else's inbox.
#: Warnings about access still go to unverified admins: missing them costs the workspace.
VERIFIED_ONLY_KINDS = frozenset({"receipt"})


def notice_recipients(tenant: Tenant, kind: str) -> list[str]:
    """The active admins of ``tenant`` who get ``kind``: their preference, and for receipts
    a verified address."""
    return [email for email, _language in notice_recipients_by_language(tenant, kind)]


def notice_recipients_by_language(tenant: Tenant, kind: str) -> list[tuple[str, str]]:
    """Each recipient of ``kind`` with the language their e-mail is written in (their own
    choice, else the workspace's)."""
    from tenants.users.models import Role
    from tenants.users.selectors import users_receiving

    with tenant_context(tenant):
        admins = users_receiving(NOTIFICATION_KEYS[kind]).filter(role=Role.ADMIN)
        if kind in VERIFIED_ONLY_KINDS:
            admins = admins.filter(email_verified_at__isnull=False)
        rows = admins.order_by("email").values_list("email", "language")
        return [(email, language or tenant.language) for email, language in rows]


def _group_by_language(recipients: list[tuple[str, str]]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for email, language in recipients:
        groups.setdefault(language, []).append(email)
    return groups


def notice_send(*, tenant: Tenant, kind: str, key: str, context: dict[str, str]) -> bool:
    """Email the workspace's admins about ``kind``/``key`` unless that was done already."""
    try:
        with transaction.atomic():
            BillingNotice.objects.create(tenant=tenant, kind=kind, key=key)
            recipients = notice_recipients_by_language(tenant, kind)
            if not recipients:
                return False
            for language, addresses in _group_by_language(recipients).items():
                _notice_mail(tenant=tenant, kind=kind, context=context, language=language).send(
                    addresses
                )
    except IntegrityError:
        logger.info("Billing notice %s:%s was already sent to %s", kind, key, tenant)
        return False
    return True


@dataclass(frozen=True)
class _Mail:
    subject: str
    body: str

    def send(self, recipients: list[str]) -> None:
        send_mail(
            subject=self.subject, message=self.body, from_email=None, recipient_list=recipients
        )


def _notice_mail(*, tenant: Tenant, kind: str, context: dict[str, str], language: str) -> _Mail:
    """The e-mail in ``language``: dates, amounts and the plan's name as that reader reads them."""
    with translation.override(language):
        full_context: dict[str, object] = {
            "workspace": tenant,
            "billing_url": workspace_url(tenant, "/billing/"),
            **context,
        }
        if context.get("amount_value") and context.get("currency"):
            full_context["amount"] = format_money(
                Decimal(context["amount_value"]), context["currency"], country=tenant.country
            )
        plan = Plan.objects.filter(slug=context.get("plan_slug", "")).first()
        if plan is not None:
            full_context["plan"] = plan.localized_name
        return _Mail(
            subject=str(SUBJECTS[kind]) % {"workspace": tenant.name},
            body=render_to_string(f"billing/emails/{kind}.txt", full_context),
        )


def trial_ending_notify() -> int:
    """Remind admins whose free trial ends within ``BILLING_TRIAL_REMINDER_DAYS`` days.

    Runs daily from beat and sends inline (each notice once, by its key); a run lost with
    Redis is made up by the next day's, which still finds the trial within the window.
    """
    from datetime import timedelta

    from django.conf import settings

    from billing.selectors import trials_ending

    sent = 0
    for subscription in trials_ending(within_days=settings.BILLING_TRIAL_REMINDER_DAYS):
        ends = subscription.trial_ends_at
        assert ends is not None  # noqa: S101 -- trials_ending() filters on it
        days_left = max(1, (ends - timezone.now() + timedelta(hours=23)).days)
        sent += notice_send(
            tenant=subscription.tenant,
            kind="trial_ending",
            key=f"{subscription.pk}:{ends:%Y-%m-%d}",
            context={
                "days_left": str(days_left),
                "trial_ends": f"{ends:%Y-%m-%d}",
                "plan": subscription.plan.name,
                "plan_slug": subscription.plan.slug,
            },
        )
    return sent
