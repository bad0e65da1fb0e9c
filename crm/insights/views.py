"""Insights pages: thin views over the selectors (every role may look; visibility filters)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.jobs.services import job_enqueue
from core.permissions import admin_required
from crm.errors import CrmError
from crm.insights.charts import rep_chart, sales_charts, segment_chart
from crm.insights.forms import (
    CustomerFilterForm,
    InsightsFilterForm,
    Period,
    ProbabilityFilterForm,
    QuotaForm,
    RepFilterForm,
    SavedReportForm,
)
from crm.insights.models import Quota, SavedReport
from crm.insights.report_runs import report_run
from crm.insights.reports import ReportResult
from crm.insights.selectors.customers import customer_overview, flags_for, look_after, risk_text
from crm.insights.selectors.probability import MIN_CLOSED, deal_chance, probability_list
from crm.insights.selectors.reps import rep_activity
from crm.insights.selectors.sales import sales_dashboard
from crm.insights.selectors.service import service_kpis
from crm.insights.selectors.trend import customer_trend
from crm.insights.services import (
    quota_delete,
    quota_set,
    saved_report_create,
    saved_report_delete,
)
from crm.insights.tasks import customer_values_refresh_job
from crm.models import Company, Contact, Deal, StageKind
from crm.selectors.money import workspace_currency
from crm.views.helpers import (
    bad_query,
    redirect_after_post,
    render_page,
    user_of,
    write_required,
)


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


@require_GET
@login_required
def reps(request: HttpRequest) -> HttpResponse:
    """Rep activity and the leaderboard: activities done, deals created, won and lost, quota
    attainment per rep in the period."""
    user = user_of(request)
    form = RepFilterForm(request.GET or {}, user=user)
    if not form.is_valid():
        return bad_query(request, form)
    scope = form.scope()
    rows = rep_activity(scope)
    return render_page(
        request,
        "insights/reps.html",
        {
            "active_nav": "insights",
            "form": form,
            "scope": scope,
            "base": workspace_currency(),
            "rows": rows,
            "chart": rep_chart(rows, scope),
        },
        partial="figures",
    )


@require_http_methods(["GET", "POST"])
@admin_required
def quotas(request: HttpRequest) -> HttpResponse:
    """Monthly quotas per rep (admins), in the base currency."""
    form = QuotaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            quota_set(by=user_of(request), **form.cleaned_data)
        except (CrmError, ValidationError) as error:
            form.add_error(None, "; ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Quota saved."))
            return redirect_after_post(request, reverse("insights_quotas"))
    return render_page(
        request,
        "insights/quotas.html",
        {
            "active_nav": "insights",
            "form": form,
            "base": workspace_currency(),
            "quotas": Quota.objects.select_related("owner")[:300],
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@admin_required
def quota_remove(request: HttpRequest, pk: int) -> HttpResponse:
    quota = get_object_or_404(Quota, pk=pk)
    quota_delete(by=user_of(request), quota=quota)
    messages.success(request, _("Quota deleted."))
    return redirect_after_post(request, reverse("insights_quotas"))


@require_GET
@login_required
def customers(request: HttpRequest) -> HttpResponse:
    """Customer value: RFM segments, the top 20 % and their share, lifetime value, and the
    customers to look after this week (precomputed; the page says how fresh)."""
    user = user_of(request)
    form = CustomerFilterForm(request.GET or {}, user=user)
    if not form.is_valid():
        return bad_query(request, form)
    overview = customer_overview(
        user,
        kind=form.cleaned_data.get("kind") or "company",
        owner_id=form.cleaned_data.get("owner"),
    )
    return render_page(
        request,
        "insights/customers.html",
        {
            "active_nav": "insights",
            "form": form,
            "overview": overview,
            "look_after": [
                (value, risk_text(value) if value.at_risk else "") for value in overview.look_after
            ],
            "chart": segment_chart(overview),
            "base": workspace_currency(),
        },
        partial="figures",
    )


@require_POST
@write_required
def customers_refresh(request: HttpRequest) -> HttpResponse:
    """Recompute the customer values now (in the background; one waiting job at most)."""
    job_enqueue(customer_values_refresh_job, dedupe_key="insights:customer-values")
    messages.success(request, _("Customer values are being recomputed; reload in a minute."))
    return redirect_after_post(request, reverse("insights_customers"))


@require_GET
@login_required
def probability(request: HttpRequest) -> HttpResponse:
    """Open deals with a win probability that explains itself, and manual figures that
    disagree with it."""
    user = user_of(request)
    form = ProbabilityFilterForm(request.GET or {}, user=user)
    if not form.is_valid():
        return bad_query(request, form)
    result = probability_list(form.scope(), page=form.cleaned_data.get("page") or 1)
    return render_page(
        request,
        "insights/probability.html",
        {"active_nav": "insights", "form": form, "result": result},
        partial="figures",
    )


#: Filter fields the report page does not show (paging and sorting of the lists).
REPORT_HIDDEN_FILTERS = ("sort", "after", "before", "page", "view")


@require_GET
@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """The report builder: records, filters, groupings, measure → table and chart; CSV and
    Excel exports; saved reports (own and shared)."""
    user = user_of(request)
    run = report_run(user=user, query=request.GET)
    if request.GET and not run.valid:
        return bad_query(request, run.form if not run.form.is_valid() else run.filter_form)
    export = request.GET.get("format", "")
    if run.result is not None and export in ("csv", "xlsx"):
        return report_download(run.result, export)
    query = request.GET.copy()
    query.pop("format", None)
    return render_page(
        request,
        "insights/reports.html",
        {
            "active_nav": "insights",
            "run": run,
            "filter_fields": [f for f in run.filter_form if f.name not in REPORT_HIDDEN_FILTERS],
            "chart": run.result.chart() if run.result else None,
            "query": query.urlencode(),
            "save_form": SavedReportForm(initial={"query": query.urlencode(), "hour": 8}),
            "saved": SavedReport.objects.filter(Q(owner=user) | Q(shared=True)).select_related(
                "owner"
            ),
        },
        partial="figures",
    )


def report_download(result: ReportResult, export: str) -> HttpResponse:
    if export == "xlsx":
        response = HttpResponse(
            result.xlsx_bytes(_("Report")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="report.xlsx"'
        return response
    response = HttpResponse(result.csv_text(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="report.csv"'
    return response


@require_POST
@write_required
def report_save(request: HttpRequest) -> HttpResponse:
    form = SavedReportForm(request.POST)
    if not form.is_valid():
        return bad_query(request, form)
    report = saved_report_create(by=user_of(request), **form.cleaned_data)
    messages.success(request, _("Report saved."))
    return redirect_after_post(request, f"{reverse('insights_reports')}?{report.query}")


@require_POST
@write_required
def report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    report = get_object_or_404(SavedReport.objects.filter(Q(owner=user) | Q(shared=True)), pk=pk)
    try:
        saved_report_delete(by=user, report=report)
    except CrmError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Report deleted."))
    return redirect_after_post(request, reverse("insights_reports"))


@require_GET
@login_required
def customer_value_fragment(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The record page's "customer value" entry, loaded after the page (one indexed query),
    with the won value per quarter of the last two years (one grouped query over the deals
    the user may see), for a company or contact the user may see (404 otherwise)."""
    user = user_of(request)
    if kind == "company":
        visible: Any = Company.objects.visible_to(user)
    elif kind == "contact":
        visible = Contact.objects.visible_to(user)
    else:
        raise Http404
    record = get_object_or_404(visible, pk=pk)
    value = flags_for(kind, [record.pk]).get(record.pk)
    return render(
        request,
        "insights/_customer_value_item.html",
        {
            "value": value,
            "risk": risk_text(value) if value and value.at_risk else "",
            "trend": customer_trend(user, kind=kind, record_id=record.pk),
        },
    )


@require_GET
@login_required
def service(request: HttpRequest) -> HttpResponse:
    """Service KPIs: case volume, first-response and resolution times in business hours, SLA
    breaches and CSAT of the cases opened in the period (assigned to the owner chosen); each
    figure links to the cases behind it."""
    # Without a query the page shows the default period, and the picker says so.
    form = RepFilterForm(request.GET or {"period": Period.LAST_90}, user=user_of(request))
    if not form.is_valid():
        return bad_query(request, form)
    return render_page(
        request,
        "insights/service.html",
        {"active_nav": "insights", "form": form, "board": service_kpis(form.scope())},
        partial="figures",
    )


@require_GET
@login_required
def service_summary(request: HttpRequest) -> HttpResponse:
    """The service KPIs' card of the sales dashboard, loaded after it with its filters."""
    form = RepFilterForm(request.GET or {}, user=user_of(request))
    if not form.is_valid():
        return bad_query(request, form)
    return render(request, "insights/_service_summary.html", {"board": service_kpis(form.scope())})


@require_GET
@login_required
def deal_probability_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The deal page's win probability (loaded after the page): the number, its top factors
    and whether the manual figure disagrees — the win-probability list's own computation.
    404 for a deal the user may not see."""
    user = user_of(request)
    deal = get_object_or_404(Deal.objects.visible_to(user).select_related("stage"), pk=pk)
    chance = deal_chance(user, deal.pk) if deal.stage.kind == StageKind.OPEN else None
    return render(
        request,
        "insights/_deal_probability.html",
        {"deal": deal, "chance": chance, "needed": MIN_CLOSED},
    )


#: Customers shown on the home dashboard's "to look after this week" card.
LOOK_AFTER_ON_HOME = 5


@require_GET
@login_required
def look_after_fragment(request: HttpRequest) -> HttpResponse:
    """The signed-in user's customers to look after this week (home dashboard card, loaded
    after the page): companies and contacts, most valuable first."""
    user = user_of(request)
    values = look_after(user, owner_id=user.pk)
    return render(
        request,
        "insights/_look_after_card.html",
        {
            "look_after": [
                (value, risk_text(value) if value.at_risk else "")
                for value in values[:LOOK_AFTER_ON_HOME]
            ],
            "more": len(values) > LOOK_AFTER_ON_HOME,
        },
    )
