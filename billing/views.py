"""The workspace's billing page (admins): plan, status, seats, invoices, and the way to pay."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from billing import selectors, services
from billing.errors import BillingError
from billing.forms import PlanChoiceForm
from billing.gateways import GatewayError, gateway_named
from billing.models import BillingInterval, Plan
from billing.selectors import ENDED_STATUSES
from core.htmx import HtmxHttpRequest
from core.permissions import admin_required
from tenants.models import Tenant
from tenants.selectors import request_tenant

logger = logging.getLogger(__name__)


def _go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Send the browser to a hosted gateway page (a client redirect for htmx)."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _billing_url(request: HttpRequest, query: str = "") -> str:
    return request.build_absolute_uri(reverse("billing:home")) + query


def _pull_gateway_state(request: HttpRequest, tenant: Tenant) -> None:
    """Apply what the gateway knows now, when the customer comes back from its pages.

    Back from checkout (``session_id``) or the portal (``portal=return``), the page must not
    wait for the webhook to tell the truth. A gateway that does not answer leaves the
    webhook to finish the job; the page then says it is confirming.
    """
    try:
        if request.GET.get("session_id"):
            services.checkout_confirm(tenant=tenant, session_id=request.GET["session_id"][:200])
        elif request.GET.get("portal") == "return":
            services.subscription_refresh(tenant=tenant)
    except GatewayError:
        logger.warning("Could not read the gateway for %s; waiting for its events", tenant)


@require_GET
@admin_required
def billing_home(request: HtmxHttpRequest) -> HttpResponse:
    """The workspace's plan, state, seats and invoices, all read from one subscription row.

    The banner above the page is recomputed after any pull from the gateway, so banner,
    status, highlighted plan and invoices can never disagree.
    """
    tenant = request_tenant(request)
    _pull_gateway_state(request, tenant)
    subscription = selectors.tenant_subscription(tenant)
    access = selectors.billing_access(subscription)
    request.billing = access  # type: ignore[attr-defined]
    live = bool(
        subscription
        and subscription.has_gateway_subscription
        and subscription.status not in ENDED_STATUSES
    )
    invoices, invoices_error = [], ""
    if subscription and subscription.gateway_customer_id:
        try:
            invoices = gateway_named(subscription.gateway).invoices_list(
                customer_id=subscription.gateway_customer_id
            )
        except GatewayError as error:
            invoices_error = str(error)
    next_invoice_amount: Decimal | None = None
    if live and subscription and not subscription.cancel_at_period_end:
        next_invoice_amount = subscription.plan.price_per_seat(subscription.interval) * max(
            1, subscription.quantity
        )
    checkout = request.GET.get("checkout", "")
    awaiting_payment = checkout == "success" and not live
    context = {
        "access": access,
        "subscription": subscription,
        "live": live,
        "seats_used": selectors.seats_used(tenant),
        "seat_limit": selectors.seat_limit(tenant),
        "next_invoice_amount": next_invoice_amount,
        "invoices": invoices,
        "invoices_error": invoices_error,
        "plans": Plan.objects.public(),
        "intervals": BillingInterval.choices,
        "checkout": checkout,
        "awaiting_payment": awaiting_payment,
        "poll_query": request.GET.urlencode() if awaiting_payment else "",
        "trial_carried_until": services.trial_carried_over(subscription),
        "active_nav": "billing",
    }
    template = "billing/home.html"
    if request.htmx and not request.htmx.boosted:
        template += "#billing-page"
    return render(request, template, context)


@require_POST
@admin_required
def billing_checkout(request: HtmxHttpRequest) -> HttpResponse:
    """Subscribe (hosted checkout), or change plan in the portal when already paying."""
    tenant = request_tenant(request)
    form = PlanChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a plan and a billing interval."))
        return redirect("billing:home")
    try:
        url = services.checkout_start(
            tenant=tenant,
            plan=form.cleaned_data["plan"],
            interval=form.cleaned_data["interval"],
            customer_email=getattr(request.user, "email", ""),
            success_url=_billing_url(request, "?checkout=success&session_id={CHECKOUT_SESSION_ID}"),
            cancel_url=_billing_url(request, "?checkout=canceled"),
        )
    except BillingError as error:
        try:
            url = services.portal_start(
                tenant=tenant, return_url=_billing_url(request, "?portal=return"), flow="update"
            )
        except BillingError:
            messages.error(request, str(error))
            return redirect("billing:home")
    except GatewayError as error:
        messages.error(request, str(error))
        return redirect("billing:home")
    return _go(request, url)


def _portal(request: HtmxHttpRequest, flow: str) -> HttpResponse:
    try:
        url = services.portal_start(
            tenant=request_tenant(request),
            return_url=_billing_url(request, "?portal=return"),
            flow=flow,
        )
    except (BillingError, GatewayError) as error:
        messages.error(request, str(error))
        return redirect("billing:home")
    return _go(request, url)


@require_POST
@admin_required
def billing_portal(request: HtmxHttpRequest) -> HttpResponse:
    """Manage the payment method (and invoices) in the gateway's portal."""
    return _portal(request, "")


@require_POST
@admin_required
def billing_cancel(request: HtmxHttpRequest) -> HttpResponse:
    """Cancel in the gateway's portal; access continues to the end of the paid period."""
    return _portal(request, "cancel")


@require_POST
@admin_required
def billing_resume(request: HtmxHttpRequest) -> HttpResponse:
    """Keep a subscription canceled for the end of its period: it renews as before."""
    try:
        services.subscription_resume(tenant=request_tenant(request))
    except (BillingError, GatewayError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your subscription continues; nothing else changes."))
    return redirect("billing:home")
