"""Who receives billing emails: active admins, minus those who turned an optional kind off;
receipts only to verified addresses."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.notices import notice_send, trial_ending_notify
from tenants.users.notifications import (
    BILLING_PAYMENT_FAILED,
    BILLING_RECEIPT,
    BILLING_TRIAL_ENDING,
)
from tests.billing.conftest import make_subscription
from tests.conftest import Workspace
from tests.factories import AdminFactory, UserFactory

RECEIPT = {"amount": "€29.00", "number": "RAP-0001"}


def test_receipts_go_only_to_verified_admins(alpha: Workspace) -> None:
    """An admin who has not verified their address gets no receipt; a verified one does."""
    with schema_context(alpha.schema):
        AdminFactory.create(email="verified@alpha.example")
        AdminFactory.create(email="unverified@alpha.example", email_verified_at=None)
    assert notice_send(tenant=alpha.tenant, kind="receipt", key="in_1", context=RECEIPT)
    assert [message.to for message in mail.outbox] == [["verified@alpha.example"]]


def test_receipts_skip_admins_who_turned_them_off(alpha: Workspace) -> None:
    """The receipt opt-out on the profile is honoured."""
    with schema_context(alpha.schema):
        AdminFactory.create(email="keeps@alpha.example")
        AdminFactory.create(
            email="optout@alpha.example", notification_settings={BILLING_RECEIPT: False}
        )
    notice_send(tenant=alpha.tenant, kind="receipt", key="in_2", context=RECEIPT)
    assert mail.outbox[0].to == ["keeps@alpha.example"]


def test_receipts_never_go_to_non_admins(alpha: Workspace) -> None:
    """Billing emails are for admins only, whatever other users chose."""
    with schema_context(alpha.schema):
        AdminFactory.create(email="admin@alpha.example")
        UserFactory.create(email="rep@alpha.example")
    notice_send(tenant=alpha.tenant, kind="receipt", key="in_3", context=RECEIPT)
    assert mail.outbox[0].to == ["admin@alpha.example"]


def test_trial_reminder_skips_admins_who_turned_it_off(alpha: Workspace) -> None:
    """An admin who turned trial reminders off does not get one; the others do."""
    with schema_context(alpha.schema):
        AdminFactory.create(email="keeps@alpha.example")
        AdminFactory.create(
            email="optout@alpha.example", notification_settings={BILLING_TRIAL_ENDING: False}
        )
    make_subscription(alpha.tenant, trial_ends_at=timezone.now() + timedelta(days=2))
    assert trial_ending_notify() == 1
    assert mail.outbox[0].to == ["keeps@alpha.example"]


def test_payment_failure_reaches_every_admin_whatever_they_chose(alpha: Workspace) -> None:
    """Failed payments are always on and go to unverified admins too: missing one would turn
    the workspace read-only without warning."""
    with schema_context(alpha.schema):
        AdminFactory.create(
            email="optout@alpha.example",
            email_verified_at=None,
            notification_settings={BILLING_PAYMENT_FAILED: False},
        )
    notice_send(tenant=alpha.tenant, kind="payment_failed", key="in_4:1", context=RECEIPT)
    assert mail.outbox[0].to == ["optout@alpha.example"]
