"""The emails Rapport sends on its own, and which of them a person may turn off.

Each kind has a key stored in ``User.notification_settings`` when someone turns it off, a
label and description for the profile page, and who receives it. A feature that adds an
email adds its kind here; the profile page and :func:`tenants.users.selectors.users_receiving`
pick it up.

Emails a person asks for (password reset, invitations, confirmation links) are not listed:
they are answers, not notifications.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tenants.users.models import User


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: Promise
    description: Promise
    #: Sent only to the workspace's admins (billing).
    admins_only: bool = False
    #: Why the email cannot be turned off, shown beside it; empty when it can be.
    always_on_reason: str | Promise = ""

    @property
    def optional(self) -> bool:
        return not self.always_on_reason


BILLING_RECEIPT = "billing.receipt"
BILLING_TRIAL_ENDING = "billing.trial_ending"
BILLING_PAYMENT_FAILED = "billing.payment_failed"
BILLING_CANCELED = "billing.canceled"
SECURITY_SIGN_IN_PAUSED = "security.sign_in_paused"
SECURITY_EMAIL_CHANGE = "security.email_change"
CRM_ACTIVITY_REMINDER = "crm.activity_reminder"
CRM_DAILY_DIGEST = "crm.daily_digest"

NOTIFICATION_KINDS: tuple[NotificationKind, ...] = (
    NotificationKind(
        BILLING_RECEIPT,
        _("Payment receipts"),
        _(
            "A receipt each time the subscription is paid. Invoices stay on the billing page. "
            "Sent only to verified addresses."
        ),
        admins_only=True,
    ),
    NotificationKind(
        BILLING_TRIAL_ENDING,
        _("Trial ending reminders"),
        _("A reminder a few days before the free trial ends."),
        admins_only=True,
    ),
    NotificationKind(
        BILLING_PAYMENT_FAILED,
        _("Failed payments"),
        _("When a payment fails and billing needs attention."),
        admins_only=True,
        always_on_reason=_(
            "Always sent: without it the workspace could turn read-only with no warning."
        ),
    ),
    NotificationKind(
        BILLING_CANCELED,
        _("Subscription ended"),
        _("When the subscription ends and the workspace turns read-only."),
        admins_only=True,
        always_on_reason=_("Always sent: it explains why nobody can change anything any more."),
    ),
    NotificationKind(
        SECURITY_SIGN_IN_PAUSED,
        _("Sign-in paused"),
        _("When repeated wrong passwords pause sign-in to your account."),
        always_on_reason=_(
            "Always sent: it may be the only sign that someone is guessing your password."
        ),
    ),
    NotificationKind(
        SECURITY_EMAIL_CHANGE,
        _("Email address changes"),
        _("To your current address when someone asks to change it."),
        always_on_reason=_("Always sent: it lets you stop someone taking over your account."),
    ),
    NotificationKind(
        CRM_ACTIVITY_REMINDER,
        _("Activity reminders"),
        _(
            "An email when a call, meeting or task you own is about to be due, as chosen on "
            "each activity. The reminder also appears under the bell."
        ),
    ),
    NotificationKind(
        CRM_DAILY_DIGEST,
        _("Daily digest"),
        _(
            "Each morning: your overdue and today's activities, idle deals, deals expected "
            "to close this week and new leads. Not sent when there is nothing to say."
        ),
    ),
)

NOTIFICATION_KINDS_BY_KEY = {kind.key: kind for kind in NOTIFICATION_KINDS}


def notification_kinds_for(user: User) -> list[NotificationKind]:
    """The kinds ``user`` can receive, in the order the profile page lists them."""
    return [kind for kind in NOTIFICATION_KINDS if user.is_workspace_admin or not kind.admins_only]


def notification_enabled(user: User, key: str) -> bool:
    """Whether ``user`` receives emails of kind ``key`` (always-on kinds are always on)."""
    kind = NOTIFICATION_KINDS_BY_KEY[key]
    if not kind.optional:
        return True
    return bool(user.notification_settings.get(key, True))
