"""Campaign pages: the list and its export, the editor, the stats page, test / send / schedule /
cancel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.errors import CrmError
from crm.marketing import exports as _exports  # noqa: F401 -- registers the campaign columns
from crm.marketing.forms import CampaignFilterForm, CampaignForm, CampaignSendForm
from crm.marketing.models import Campaign
from crm.marketing.selectors_campaigns import (
    CAMPAIGN_DEFAULT_SORT,
    CAMPAIGN_SORTS,
    campaign_ordering,
    campaign_stats,
    campaigns_filtered,
    campaigns_visible_to,
)
from crm.marketing.services.campaigns import (
    campaign_cancel,
    campaign_save,
    campaign_send,
    campaign_test_send,
    can_manage_campaigns,
)
from crm.models import ListType
from crm.selectors.lists import seek_page
from crm.views.exports import export_response
from crm.views.helpers import bad_query, redirect_after_post, render_page, user_of, write_required
from crm.views.lists import saved_views_context
from tenants.users.models import User

PER_PAGE = 25


def _managed_or_404(request: HttpRequest, pk: int) -> Campaign:
    if not can_manage_campaigns(user_of(request)):
        raise Http404
    return get_object_or_404(Campaign, pk=pk)


def _selection(form: CampaignFilterForm, user: User) -> tuple[Any, str, tuple[str, ...]]:
    """The campaigns a valid filter form selects, its sort key and the ordering."""
    params = form.cleaned_data
    queryset = campaigns_filtered(campaigns_visible_to(user), params=params)
    sort = params.get("sort") or CAMPAIGN_DEFAULT_SORT
    if sort.removeprefix("-") not in CAMPAIGN_SORTS:
        sort = CAMPAIGN_DEFAULT_SORT
    return queryset, sort, campaign_ordering(sort)


def _filters_active(request: HttpRequest) -> bool:
    return any(v for k, v in request.GET.items() if k not in ("sort", *CampaignFilterForm.PAGING))


@require_GET
@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Campaigns with search by name, a status filter, sorts, cursor pages and saved views."""
    user = user_of(request)
    form = CampaignFilterForm(request.GET)
    if not form.is_valid():
        return bad_query(request, form)
    queryset, sort, order = _selection(form, user)
    page = seek_page(
        queryset.select_related("segment", "sender"),
        order=order,
        after=form.cleaned_data.get("after") or "",
        before=form.cleaned_data.get("before") or "",
        per_page=PER_PAGE,
    )
    return render_page(
        request,
        "marketing/campaign_list.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "filters_active": _filters_active(request),
            "can_manage": can_manage_campaigns(user),
            "can_write": user.can_write,
            "active_nav": "marketing",
            **saved_views_context(
                request, ListType.CAMPAIGN, current=form.cleaned_data.get("view")
            ),
        },
        partial="results",
    )


@require_GET
@login_required
def campaign_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The list's selection as CSV, streamed (or ``?format=xlsx``), every cell formula-safe.

    A GET that every member may use (they read the list), also while the workspace is
    read-only.
    """
    form = CampaignFilterForm(request.GET)
    if not form.is_valid():
        return bad_query(request, form)
    queryset, _sort, order = _selection(form, user_of(request))
    xlsx = form.cleaned_data.get("format") == "xlsx"
    return export_response(
        queryset,
        kind="campaign",
        order=order,
        name="campaigns",
        xlsx_title=_("Campaigns") if xlsx else "",
    )


@require_http_methods(["GET", "POST"])
@write_required
def campaign_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not can_manage_campaigns(user_of(request)):
        raise Http404
    campaign = _managed_or_404(request, pk) if pk is not None else None
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in CampaignForm.Meta.fields}
        try:
            saved = campaign_save(by=user_of(request), values=values, campaign=campaign)
        except CrmError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Campaign saved."))
            return redirect_after_post(request, saved.get_absolute_url())
    return render_page(
        request,
        "marketing/campaign_form.html",
        {"form": form, "campaign": campaign, "active_nav": "marketing"},
        status=400 if form.is_bound else 200,
    )


@require_GET
@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(
        Campaign.objects.select_related("segment", "template", "sender"), pk=pk
    )
    return render_page(
        request,
        "marketing/campaign_detail.html",
        {
            "campaign": campaign,
            "stats": campaign_stats(campaign),
            "send_form": CampaignSendForm(),
            "can_manage": can_manage_campaigns(user_of(request)),
            "active_nav": "marketing",
        },
    )


@require_POST
@write_required
def campaign_test(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_or_404(request, pk)
    try:
        campaign_test_send(by=user_of(request), campaign=campaign)
    except CrmError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("A test e-mail is on its way to your address."))
    return redirect_after_post(request, campaign.get_absolute_url())


@require_POST
@write_required
def campaign_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_or_404(request, pk)
    form = CampaignSendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The send time is not a valid date and time."))
        return redirect_after_post(request, campaign.get_absolute_url())
    try:
        campaign = campaign_send(
            by=user_of(request), campaign=campaign, at=form.cleaned_data.get("send_at")
        )
    except CrmError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Campaign scheduled.") if campaign.status == "scheduled" else _("Sending started."),
        )
    return redirect_after_post(request, campaign.get_absolute_url())


@require_POST
@write_required
def campaign_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_or_404(request, pk)
    try:
        campaign_cancel(by=user_of(request), campaign=campaign)
    except CrmError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Campaign canceled."))
    return redirect_after_post(request, campaign.get_absolute_url())
