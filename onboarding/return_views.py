"""The insights page of the CRM's own return and adoption (managers and admins)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from core.permissions import role_required
from crm.insights.selectors.adoption import data_qualities
from crm.views.helpers import render_page
from onboarding.returns import crm_return, return_figures


@require_GET
@role_required("admin", "manager")
def insights_return(request: HttpRequest) -> HttpResponse:
    """Since go-live: win rate, cycle, revenue and activities per rep, completeness, now vs
    the baseline; adoption per week; the data-quality score with links to fix. The scans
    behind adoption and duplicates come from the hourly refresh (the page says how fresh)."""
    figures = return_figures()
    qualities = data_qualities(figures.go_live, duplicates=figures.duplicates)
    return render_page(
        request,
        "insights/return.html",
        {
            "active_nav": "insights",
            "result": crm_return(qualities=qualities),
            "figures": figures,
            "quality": qualities["all"],
        },
    )
