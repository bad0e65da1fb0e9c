"""The sandbox's hosted pages on the public host: checkout and the customer portal.

Like Stripe's hosted pages they need no Rapport sign-in: the long random session id in the
address is the credential, and a session expires.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from billing.forms import CardForm, PlanChoiceForm
from billing.gateways import sandbox_active
from billing.gateways.base import GatewayError
from billing.models import (
    Plan,
    SandboxCheckoutSession,
    SandboxInvoice,
    SandboxPortalSession,
    SandboxSubscription,
)
from billing.sandbox import objects, provider

CHECKOUT_LIFETIME = timedelta(hours=24)
PORTAL_LIFETIME = timedelta(hours=1)


def _sandbox_required() -> None:
    """The sandbox's pages exist only where the sandbox is the gateway."""
    if not sandbox_active():
        raise Http404


def _checkout_session(session_id: str) -> SandboxCheckoutSession:
    _sandbox_required()
    session = SandboxCheckoutSession.objects.filter(
        session_id=session_id, created_at__gt=timezone.now() - CHECKOUT_LIFETIME
    ).first()
    if session is None:
        raise Http404("Unknown or expired checkout session.")
    return session


def _success_url(session: SandboxCheckoutSession) -> str:
    """Where the customer returns after paying; Stripe fills in the session id the same way."""
    return session.success_url.replace("{CHECKOUT_SESSION_ID}", session.session_id)


@require_http_methods(["GET", "POST"])
def sandbox_checkout(request: HttpRequest, session_id: str) -> HttpResponse:
    session = _checkout_session(session_id)
    if session.status != "open":
        return redirect(_success_url(session))
    plan, interval = objects.lookup_key_parts(session.price_lookup_key)
    form = CardForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            provider.checkout_pay(session=session, card_number=form.cleaned_data["card_number"])
        except GatewayError as error:
            form.add_error("card_number", str(error))
            status = 402
        else:
            return redirect(_success_url(session))
    elif request.method == "POST":
        status = 400
    unit = plan.price_per_seat(interval)
    return render(
        request,
        "billing/sandbox/checkout.html",
        {
            "session": session,
            "plan": plan,
            "interval": interval,
            "unit_price": unit,
            "total": unit * session.quantity,
            "trial_end": session.trial_end,
            "form": form,
        },
        status=status,
    )


def _portal_session(session_id: str) -> SandboxPortalSession:
    _sandbox_required()
    session = (
        SandboxPortalSession.objects.select_related("customer")
        .filter(session_id=session_id, created_at__gt=timezone.now() - PORTAL_LIFETIME)
        .first()
    )
    if session is None:
        raise Http404("Unknown or expired portal session.")
    return session


@require_http_methods(["GET", "POST"])
def sandbox_portal(request: HttpRequest, session_id: str) -> HttpResponse:
    session = _portal_session(session_id)
    customer = session.customer
    subscription = (
        SandboxSubscription.objects.filter(customer=customer).order_by("-created_at").first()
    )
    card_form = CardForm(request.POST if request.POST.get("action") == "card" else None)
    plan_form = PlanChoiceForm(request.POST if request.POST.get("action") == "plan" else None)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "card" and card_form.is_valid():
                provider.card_update(
                    customer=customer, card_number=card_form.cleaned_data["card_number"]
                )
                return redirect(session.return_url)
            if action == "plan" and plan_form.is_valid() and subscription is not None:
                plan: Plan = plan_form.cleaned_data["plan"]
                provider.subscription_change(
                    subscription=subscription,
                    lookup_key=plan.lookup_key(plan_form.cleaned_data["interval"]),
                )
                return redirect(session.return_url)
            if action == "cancel" and subscription is not None:
                provider.subscription_cancel(subscription=subscription)
                return redirect(session.return_url)
            error = _("Check the form and try again.")
        except GatewayError as problem:
            error = str(problem)
    current_plan, current_interval = (
        objects.lookup_key_parts(subscription.price_lookup_key) if subscription else (None, "")
    )
    return render(
        request,
        "billing/sandbox/portal.html",
        {
            "session": session,
            "customer": customer,
            "subscription": subscription,
            "current_plan": current_plan,
            "current_interval": current_interval,
            "invoices": SandboxInvoice.objects.filter(subscription__customer=customer)[:12],
            "card_form": card_form,
            "plan_form": plan_form,
            "plans": Plan.objects.public(),
            "error": error,
        },
        status=400 if error else 200,
    )
