"""What the sandbox does as a payment provider: take cards, bill periods, emit events.

Every change to the sandbox's books emits the events Stripe would send, signed and delivered
to Rapport's webhook endpoint after commit. Rapport's own state changes only when those
events are processed, exactly as with Stripe.
"""

from __future__ import annotations

import calendar
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.gateways.base import GatewayError
from billing.models import (
    BillingInterval,
    SandboxCardBehaviour,
    SandboxCheckoutSession,
    SandboxCustomer,
    SandboxInvoice,
    SandboxSubscription,
)
from billing.sandbox import objects

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TestCard:
    number: str
    behaviour: str
    declined: bool = False


#: Stripe's well-known test numbers: one succeeds, one is declined, one fails at renewal.
TEST_CARDS = {
    "4242424242424242": TestCard("4242424242424242", SandboxCardBehaviour.SUCCEEDS),
    "4000000000000002": TestCard("4000000000000002", SandboxCardBehaviour.SUCCEEDS, declined=True),
    "4000000000000341": TestCard("4000000000000341", SandboxCardBehaviour.FAILS_AT_RENEWAL),
}


def card_accept(card_number: str) -> TestCard:
    """The test card for ``card_number``; raises :class:`GatewayError` when it is declined."""
    digits = "".join(ch for ch in card_number if ch.isdigit())
    card = TEST_CARDS.get(digits)
    if card is None:
        raise GatewayError(
            _(
                "This is the sandbox: use a test card, e.g. 4242 4242 4242 4242 "
                "(4000 0000 0000 0002 is declined)."
            )
        )
    if card.declined:
        raise GatewayError(_("Your card was declined. Nothing was charged; try another card."))
    return card


def add_interval(moment: datetime, interval: str) -> datetime:
    """One billing interval later, on the same day of the month where it exists."""
    months = 12 if interval == BillingInterval.YEAR else 1
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _emit(event_type: str, data_object: dict[str, Any]) -> None:
    """Deliver a signed event to the webhook endpoint: a job recorded with the sandbox's change,
    delivered after commit and again until taken, as Stripe retries its deliveries."""
    event = objects.event_object(event_type, data_object, int(timezone.now().timestamp()))
    payload = json.dumps(event, separators=(",", ":"))
    from billing.tasks import sandbox_event_deliver_job

    sandbox_event_deliver_job.enqueue(payload=payload)


def _emit_subscription(event_type: str, subscription: SandboxSubscription) -> None:
    _emit(event_type, objects.subscription_object(subscription))


def _period_words(start: datetime, end: datetime) -> str:
    return f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"


def _invoice_create(
    subscription: SandboxSubscription,
    *,
    period_start: datetime,
    period_end: datetime,
    amount: int | None = None,
    description: str = "",
) -> SandboxInvoice:
    """An invoice for the subscription; the customer's credit balance is taken off first.

    Without ``amount`` it bills one full period of the current price and seats.
    """
    plan, interval = objects.lookup_key_parts(subscription.price_lookup_key)
    if amount is None:
        amount = objects.unit_amount(plan, interval) * subscription.quantity
        description = description or (
            f"{plan.name} x {subscription.quantity} ({_period_words(period_start, period_end)})"
        )
    customer = subscription.customer
    if amount > 0 and customer.credit_balance:
        used = min(amount, customer.credit_balance)
        amount -= used
        customer.credit_balance -= used
        customer.save(update_fields=["credit_balance"])
        description = f"{description}; credit applied {used / 100:.2f}"
    invoice = SandboxInvoice.objects.create(
        invoice_id=objects.new_id("in"),
        subscription=subscription,
        amount_due=amount,
        currency=plan.currency.lower(),
        period_start=period_start,
        period_end=period_end,
        description=description[:300],
    )
    subscription.latest_invoice_id = invoice.invoice_id
    subscription.save(update_fields=["latest_invoice_id"])
    return invoice


def _invoice_charge(invoice: SandboxInvoice, *, succeeds: bool) -> bool:
    """Try to collect ``invoice``; emits ``invoice.paid`` or ``invoice.payment_failed``.

    Nothing to collect (a zero invoice, or a credit that goes to the customer's balance)
    always succeeds.
    """
    invoice.attempt_count += 1
    if invoice.amount_due <= 0:
        succeeds = True
        if invoice.amount_due < 0:
            customer = invoice.subscription.customer
            customer.credit_balance += -invoice.amount_due
            customer.save(update_fields=["credit_balance"])
    if succeeds:
        invoice.status = "paid"
        invoice.amount_paid = max(0, invoice.amount_due)
    invoice.save(update_fields=["attempt_count", "status", "amount_paid"])
    _emit("invoice.paid" if succeeds else "invoice.payment_failed", objects.invoice_object(invoice))
    return succeeds


def _card_succeeds(subscription: SandboxSubscription) -> bool:
    return subscription.customer.card_behaviour == SandboxCardBehaviour.SUCCEEDS


@transaction.atomic
def checkout_pay(*, session: SandboxCheckoutSession, card_number: str) -> SandboxSubscription:
    """Pay a checkout session: a customer, an active subscription and a paid first invoice.

    A declined card raises :class:`GatewayError` and changes nothing.
    """
    session = SandboxCheckoutSession.objects.select_for_update().get(pk=session.pk)
    if session.status != "open":
        raise GatewayError(_("This checkout was already completed."))
    card = card_accept(card_number)
    customer = session.customer or SandboxCustomer.objects.create(
        customer_id=objects.new_id("cus"),
        email=session.customer_email,
        metadata=dict(session.metadata),
    )
    customer.card_last4 = card.number[-4:]
    customer.card_behaviour = card.behaviour
    customer.save(update_fields=["card_last4", "card_behaviour"])
    _plan, interval = objects.lookup_key_parts(session.price_lookup_key)
    now = timezone.now()
    trial_end = session.trial_end if session.trial_end and session.trial_end > now else None
    subscription = SandboxSubscription.objects.create(
        subscription_id=objects.new_id("sub"),
        item_id=objects.new_id("si"),
        customer=customer,
        price_lookup_key=session.price_lookup_key,
        quantity=session.quantity,
        status="trialing" if trial_end else "active",
        current_period_start=now,
        current_period_end=trial_end or add_interval(now, interval),
        trial_end=trial_end,
        metadata=dict(session.metadata),
    )
    if trial_end:
        invoice = _invoice_create(
            subscription,
            period_start=now,
            period_end=trial_end,
            amount=0,
            description=f"Trial until {trial_end:%Y-%m-%d}",
        )
    else:
        invoice = _invoice_create(
            subscription, period_start=now, period_end=subscription.current_period_end
        )
    session.status = "complete"
    session.customer = customer
    session.subscription_id = subscription.subscription_id
    session.save(update_fields=["status", "customer", "subscription_id"])
    _emit("checkout.session.completed", objects.checkout_session_object(session))
    _emit_subscription("customer.subscription.created", subscription)
    _invoice_charge(invoice, succeeds=True)
    return subscription


def proration_amount(
    subscription: SandboxSubscription, *, lookup_key: str, now: datetime
) -> tuple[int, bool]:
    """What a price change costs now (cents, negative for a credit), and whether the billing
    period restarts.

    Stripe's rules with ``always_invoice``: the unused time of the old price is credited; a
    change of interval restarts the period today and bills the new price in full; a change
    within the same interval bills the difference for the rest of the period.
    """
    old_plan, old_interval = objects.lookup_key_parts(subscription.price_lookup_key)
    new_plan, new_interval = objects.lookup_key_parts(lookup_key)
    quantity = subscription.quantity
    start, end = subscription.current_period_start, subscription.current_period_end
    length = max((end - start).total_seconds(), 1.0)
    remaining = min(max((end - now).total_seconds(), 0.0), length) / length
    old_amount = objects.unit_amount(old_plan, old_interval) * quantity
    new_amount = objects.unit_amount(new_plan, new_interval) * quantity
    if new_interval != old_interval:
        return new_amount - round(old_amount * remaining), True
    return round((new_amount - old_amount) * remaining), False


@transaction.atomic
def subscription_change(
    *, subscription: SandboxSubscription, lookup_key: str | None = None, quantity: int | None = None
) -> SandboxSubscription:
    """Change the price (plan or interval) or the seat count, from now on.

    A price change outside a trial is invoiced at once with its proration (see
    :func:`proration_amount`); a seat change, like Stripe's default, waits for the next
    invoice.
    """
    if subscription.status == "canceled":
        raise GatewayError(_("This subscription has ended."))
    now = timezone.now()
    proration: tuple[int, bool] | None = None
    old_name = objects.lookup_key_parts(subscription.price_lookup_key)[0].name
    if lookup_key is not None and lookup_key != subscription.price_lookup_key:
        objects.lookup_key_parts(lookup_key)
        if subscription.status != "trialing":
            proration = proration_amount(subscription, lookup_key=lookup_key, now=now)
        subscription.price_lookup_key = lookup_key
    if quantity is not None:
        subscription.quantity = max(1, quantity)
    if proration is not None and proration[1]:
        _plan, interval = objects.lookup_key_parts(subscription.price_lookup_key)
        subscription.current_period_start = now
        subscription.current_period_end = add_interval(now, interval)
    subscription.save(
        update_fields=[
            "price_lookup_key",
            "quantity",
            "current_period_start",
            "current_period_end",
        ]
    )
    if proration is not None:
        new_plan, new_interval = objects.lookup_key_parts(subscription.price_lookup_key)
        invoice = _invoice_create(
            subscription,
            period_start=now,
            period_end=subscription.current_period_end,
            amount=proration[0],
            description=f"Proration: {old_name} to {new_plan.name} ({new_interval}ly)",
        )
        if not _invoice_charge(invoice, succeeds=_card_succeeds(subscription)):
            subscription.status = "past_due"
            subscription.save(update_fields=["status"])
    _emit_subscription("customer.subscription.updated", subscription)
    return subscription


@transaction.atomic
def subscription_resume(*, subscription: SandboxSubscription) -> SandboxSubscription:
    """Undo a cancellation before the period ends: the subscription renews as before."""
    if subscription.status == "canceled":
        raise GatewayError(_("This subscription has ended; choose a plan to subscribe again."))
    subscription.cancel_at_period_end = False
    subscription.canceled_at = None
    subscription.save(update_fields=["cancel_at_period_end", "canceled_at"])
    _emit_subscription("customer.subscription.updated", subscription)
    return subscription


@transaction.atomic
def card_update(*, customer: SandboxCustomer, card_number: str) -> SandboxCustomer:
    """Replace the customer's card; an overdue invoice is collected with the new card."""
    card = card_accept(card_number)
    customer.card_last4 = card.number[-4:]
    customer.card_behaviour = card.behaviour
    customer.save(update_fields=["card_last4", "card_behaviour"])
    for subscription in customer.subscriptions.filter(status="past_due"):
        for invoice in subscription.invoices.filter(status="open"):
            _invoice_charge(invoice, succeeds=True)
        subscription.status = "active"
        subscription.save(update_fields=["status"])
        _emit_subscription("customer.subscription.updated", subscription)
    return customer


@transaction.atomic
def subscription_cancel(*, subscription: SandboxSubscription) -> SandboxSubscription:
    """Cancel at the end of the paid period (the portal's default)."""
    if subscription.status == "canceled":
        return subscription
    subscription.cancel_at_period_end = True
    subscription.canceled_at = timezone.now()
    subscription.save(update_fields=["cancel_at_period_end", "canceled_at"])
    _emit_subscription("customer.subscription.updated", subscription)
    return subscription


@transaction.atomic
def clock_renew(*, subscription: SandboxSubscription, fail: bool = False) -> SandboxSubscription:
    """Move to the end of the current period: end a canceling subscription, or bill the next
    (for a trialing subscription, the first paid period).

    The charge fails when ``fail`` is set or the card is the one that fails at renewal; the
    subscription then turns ``past_due`` with an open invoice.
    """
    if subscription.status == "canceled":
        raise GatewayError(_("This subscription has ended."))
    if subscription.cancel_at_period_end:
        subscription.status = "canceled"
        subscription.ended_at = timezone.now()
        subscription.save(update_fields=["status", "ended_at"])
        _emit_subscription("customer.subscription.deleted", subscription)
        return subscription
    _plan, interval = objects.lookup_key_parts(subscription.price_lookup_key)
    start = subscription.current_period_end
    subscription.current_period_start = start
    subscription.current_period_end = add_interval(start, interval)
    subscription.save(update_fields=["current_period_start", "current_period_end"])
    invoice = _invoice_create(
        subscription, period_start=start, period_end=subscription.current_period_end
    )
    succeeds = not fail and _card_succeeds(subscription)
    _invoice_charge(invoice, succeeds=succeeds)
    subscription.status = "active" if succeeds else "past_due"
    subscription.save(update_fields=["status"])
    _emit_subscription("customer.subscription.updated", subscription)
    return subscription


@transaction.atomic
def clock_fail_payment(*, subscription: SandboxSubscription) -> SandboxSubscription:
    """Renew with a failing charge, whatever the card."""
    return clock_renew(subscription=subscription, fail=True)
