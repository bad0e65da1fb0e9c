"""Provider operations on the signup journey (ops console on the public host)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.permissions import staff_required
from onboarding import ops
from onboarding.signups.selectors import journey_funnel, recent_journeys
from tenants.ops_forms import OptionalReasonForm
from tenants.ops_views import ops_action


@require_POST
@staff_required
def ops_tenant_retry(request: HttpRequest, tenant_id: int) -> HttpResponse:
    """Queue a failed signup's provisioning again (audited)."""
    return ops_action(
        request,
        tenant_id,
        OptionalReasonForm,
        lambda tenant, by, data: ops.provisioning_retry(
            tenant=tenant, by=by, reason=data.get("reason", "")
        ),
        _("Provisioning queued again."),
    )


@require_GET
@staff_required
def ops_onboarding(request: HttpRequest) -> HttpResponse:
    """The onboarding funnel across workspaces: signed up, profile done, data in, team
    invited, first value; guided-start completion and time to first value per workspace."""
    form = FunnelPeriodForm(request.GET or None)
    days = int(form.cleaned_data["days"]) if form.is_valid() else FUNNEL_DEFAULT_DAYS
    now = timezone.now()
    funnel = journey_funnel(days=days, now=now)
    median = funnel.median_time_to_first_value
    return render(
        request,
        "ops/onboarding.html",
        {
            "form": form,
            "days": days,
            "funnel": funnel,
            "journeys": recent_journeys(since=funnel.since),
            "median_text": timesince(now - median, now) if median is not None else "",
            "journey_days": settings.ONBOARDING_JOURNEY_DAYS,
        },
    )


#: The funnel's periods, in days.
FUNNEL_PERIODS = (7, 30, 90, 365)
FUNNEL_DEFAULT_DAYS = 30


class FunnelPeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        choices=[(days, days) for days in FUNNEL_PERIODS], coerce=int, required=False
    )
