"""The workspace's billing page (admins): plan, status, seats, invoices, and the way to pay."""

from __future__ import annotations

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
from tenants.http import HtmxHttpRequest
from tenants.selectors import request_tenant
from tenants.users.permissions import admin_required


def _go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Send the browser to a hosted gateway page (a client redirect for htmx)."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _billing_url(request: HttpRequest, query: str = "") -> str:
    return request.build_absolute_uri(reverse("billing:home")) + query


@require_GET
@admin_required
def billing_home(request: HtmxHttpRequest) -> HttpResponse:
    tenant = request_tenant(request)
    subscription = selectors.tenant_subscription(tenant)
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
    context = {
        "access": selectors.billing_access(subscription),
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
        "awaiting_payment": checkout == "success" and not live,
        "active_nav": "billing",
    }
    template = "billing/home.html"
    if request.htmx and not request.htmx.boosted:
        template += "#subscription-status"
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
            success_url=_billing_url(request, "?checkout=success"),
            cancel_url=_billing_url(request, "?checkout=canceled"),
        )
    except BillingError as error:
        try:
            url = services.portal_start(
                tenant=tenant, return_url=_billing_url(request), flow="update"
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
            tenant=request_tenant(request), return_url=_billing_url(request), flow=flow
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
