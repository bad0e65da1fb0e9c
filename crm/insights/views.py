"""Insights pages: thin views over the selectors (every role may look; visibility filters)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from crm.insights.charts import sales_charts
from crm.insights.forms import InsightsFilterForm
from crm.insights.selectors.sales import sales_dashboard
from crm.views.helpers import bad_query, render_page, user_of


@require_GET
@login_required
def sales(request: HttpRequest) -> HttpResponse:
    """The sales dashboard: pipeline, forecast, outcomes, conversion, velocity, sources."""
    user = user_of(request)
    form = InsightsFilterForm(request.GET or None, user=user)
    if request.GET and not form.is_valid():
        return bad_query(request, form)
    if not request.GET:
        form = InsightsFilterForm({}, user=user)
        form.is_valid()
    dashboard = sales_dashboard(form.scope())
    return render_page(
        request,
        "insights/sales.html",
        {
            "active_nav": "insights",
            "form": form,
            "board": dashboard,
            "charts": sales_charts(dashboard),
        },
        partial="figures",
    )
