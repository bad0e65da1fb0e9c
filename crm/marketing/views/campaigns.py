"""Campaign pages: the list, the editor, the stats page, test / send / schedule / cancel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.errors import CrmError
from crm.marketing.forms import CampaignForm, CampaignSendForm
from crm.marketing.models import Campaign
from crm.marketing.selectors_campaigns import campaign_stats
from crm.marketing.services.campaigns import (
    campaign_cancel,
    campaign_save,
    campaign_send,
    campaign_test_send,
    can_manage_campaigns,
)
from crm.views.helpers import redirect_after_post, render_page, user_of, write_required


def _managed_or_404(request: HttpRequest, pk: int) -> Campaign:
    if not can_manage_campaigns(user_of(request)):
        raise Http404
    return get_object_or_404(Campaign, pk=pk)


@require_GET
@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.select_related("segment", "sender")
    return render_page(
        request,
        "marketing/campaign_list.html",
        {
            "campaigns": list(campaigns[:500]),
            "can_manage": can_manage_campaigns(user_of(request)),
            "active_nav": "marketing",
        },
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
