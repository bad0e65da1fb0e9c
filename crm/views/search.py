"""Global search (the Ctrl-K palette and its full page) and the dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from core.dashboard import dashboard_panels, dashboard_redirect
from crm.forms.query import SEARCH_MAX_LENGTH, SearchForm
from crm.models import Pipeline
from crm.selectors import global_search, my_open_activities, my_open_deals, pipeline_summary
from crm.selectors.money import ConvertedTotal, workspace_currency
from crm.service.selectors import case_search_group
from crm.views.helpers import bad_query, render_page, user_of


@require_GET
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Matches across contacts, companies, deals and leads the user may see."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return bad_query(request, form)
    text = form.cleaned_data["q"]
    groups = global_search(user=user_of(request), text=text)
    cases = case_search_group(user=user_of(request), text=text)
    if cases is not None:
        groups.append(cases)
    return render_page(
        request,
        "crm/search.html",
        {"q": text, "q_max_length": SEARCH_MAX_LENGTH, "groups": groups, "active_nav": "search"},
        partial="results",
    )


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The user's open activities, open deals and the main pipeline's totals (and what other
    apps add: the guided start of a new workspace)."""
    elsewhere = dashboard_redirect(request)
    if elsewhere:
        return redirect(elsewhere)
    user = user_of(request)
    pipeline = Pipeline.objects.order_by("position", "id").first()
    summary = pipeline_summary(user=user, pipeline=pipeline)
    return render_page(
        request,
        "crm/dashboard.html",
        {
            "active_nav": "dashboard",
            "panels": dashboard_panels(request),
            "activities": my_open_activities(user=user),
            "deals": my_open_deals(user=user),
            "pipeline": pipeline,
            "summary": summary,
            "open_total": sum(
                (r["total"] for r in summary if r["stage"].is_open),
                ConvertedTotal(workspace_currency()),
            ),
            "open_weighted": sum(
                (r["weighted"] for r in summary if r["stage"].is_open),
                ConvertedTotal(workspace_currency()),
            ),
        },
    )
