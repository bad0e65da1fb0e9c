"""The insights page of the CRM's own return and adoption (managers and admins)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from core.permissions import role_required
from crm.insights.selectors.adoption import adoption_weeks, data_quality, next_activity_share
from crm.views.helpers import render_page
from onboarding.returns import crm_return


@require_GET
@role_required("admin", "manager")
def insights_return(request: HttpRequest) -> HttpResponse:
    """Since go-live: win rate, cycle, revenue and activities per rep, completeness, now vs
    the baseline; adoption per week; the data-quality score with links to fix."""
    planned, open_deals = next_activity_share()
    return render_page(
        request,
        "insights/return.html",
        {
            "active_nav": "insights",
            "result": crm_return(),
            "weeks": adoption_weeks(),
            "planned": planned,
            "open_deals": open_deals,
            "planned_share": round(planned * 100 / open_deals, 1) if open_deals else None,
            "quality": data_quality(),
        },
    )
