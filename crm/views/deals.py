"""The deal board (kanban per pipeline) and moving deals on it; lead conversion."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm import services
from crm.errors import CrmError
from crm.forms import LeadConvertForm, LostReasonForm, active_users
from crm.forms.query import BoardFilterForm, LostPrefillForm, parse_record_id, valid_values
from crm.models import Deal, Lead, Pipeline, Stage, StageKind, Tag
from crm.selectors import board_columns, column_more, editable_or_404, visible_or_404
from crm.views.helpers import (
    bad_query,
    redirect_after_post,
    render_page,
    user_of,
    write_required,
)


def board_changed(deal: Deal, stage: Stage) -> str:
    """The ``HX-Trigger`` after a move: the board refreshes itself, and a screen reader hears
    where the card went (``crm.js`` reads ``crm-announce`` into the board's live region).

    JSON escapes every non-ASCII character, so any deal title survives the header.
    """
    message = _("Moved “%(deal)s” to %(stage)s.") % {"deal": deal.title, "stage": stage.name}
    return json.dumps({"board-changed": None, "crm-announce": message})


@require_GET
@login_required
def deal_board(request: HttpRequest, pipeline_id: int | None = None) -> HttpResponse:
    """A pipeline's stages as columns of cards, with count, sum and weighted sum per column."""
    user = user_of(request)
    pipelines = list(Pipeline.objects.order_by("position", "id"))
    if not pipelines:
        raise Http404
    chosen = pipeline_id or pipelines[0].pk
    pipeline = next((p for p in pipelines if p.pk == chosen), None)
    if pipeline is None:
        raise Http404
    filters = BoardFilterForm(request.GET)
    if not filters.is_valid():
        return bad_query(request, filters)
    owner, tag = _board_filters(filters)
    columns = board_columns(pipeline=pipeline, user=user, owner=owner, tag=tag)
    partial_only = getattr(request, "htmx", False) and not request.htmx.boosted  # type: ignore[attr-defined]
    return render_page(
        request,
        "crm/deal_board.html",
        {
            "pipeline": pipeline,
            "pipelines": pipelines,
            "columns": columns,
            "owner": owner,
            "tag": tag,
            "owners": [] if partial_only else list(active_users()),
            "tags": [] if partial_only else list(Tag.objects.order_by("name")),
            "can_write": user.can_write,
            "active_nav": "deals",
        },
        partial="board",
    )


def _board_filters(filters: BoardFilterForm) -> tuple[Any, Tag | None]:
    """The owner and tag a valid board filter form names (``None`` for any, or unknown ids)."""
    owner_id, tag_id = filters.cleaned_data["owner"], filters.cleaned_data["tag"]
    owner = active_users().filter(pk=owner_id).first() if owner_id else None
    tag = Tag.objects.filter(pk=tag_id).first() if tag_id else None
    return owner, tag


@require_GET
@login_required
def deal_column_more(request: HttpRequest, stage_id: int) -> HttpResponse:
    """The next cards of one board column after the card ``after``, and a new "show more" link."""
    user = user_of(request)
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=stage_id)
    filters = BoardFilterForm(request.GET)
    if not filters.is_valid():
        return bad_query(request, filters)
    after = visible_or_404(Deal.objects.filter(stage=stage), user, filters.cleaned_data["after"])
    owner, tag = _board_filters(filters)
    deals, more = column_more(stage=stage, user=user, after=after, owner=owner, tag=tag)
    left = max(0, (filters.cleaned_data["left"] or 0) - len(deals))
    return render_page(
        request,
        "crm/_board_cards.html",
        {
            "deals": deals,
            "stage": stage,
            "last": deals[-1] if more and deals else None,
            "left": left,
            "owner": owner,
            "tag": tag,
            "can_write": user.can_write,
        },
    )


@require_http_methods(["GET", "POST"])
@write_required
def deal_lost(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask why a deal was lost before moving it to a lost stage (the board's drop prompt).

    Answers a modal for htmx and a page otherwise. Moving records the reason with the stage
    change; the board then refreshes itself. Cancelling leaves the deal where it was.
    """
    user = user_of(request)
    deal = editable_or_404(Deal.objects.select_related("stage", "pipeline"), user, pk)
    if request.method == "GET":
        suggested = valid_values(LostPrefillForm(request.GET))
        form = LostReasonForm(
            initial={
                "stage": suggested.get("stage")
                or Stage.objects.filter(pipeline_id=deal.pipeline_id, kind=StageKind.LOST)
                .order_by("position", "id")
                .values_list("pk", flat=True)
                .first(),
                "above": suggested.get("above"),
                "below": suggested.get("below"),
                "lost_reason": deal.lost_reason,
            },
            deal=deal,
        )
    elif (form := LostReasonForm(request.POST, deal=deal)).is_valid():
        data = form.cleaned_data
        neighbours = Deal.objects.visible_to(user).filter(stage=data["stage"])
        try:
            services.deal_move(
                deal=deal,
                stage=data["stage"],
                by=user,
                above=neighbours.filter(pk=data["above"]).first() if data["above"] else None,
                below=neighbours.filter(pk=data["below"]).first() if data["below"] else None,
                lost_reason=data["lost_reason"],
            )
        except CrmError as error:
            form.add_error(None, str(error))
        else:
            if getattr(request, "htmx", False):
                response = HttpResponse("")
                response["HX-Trigger"] = board_changed(deal, data["stage"])
                return response
            messages.success(request, _("Deal marked as lost."))
            return redirect_after_post(request, deal.get_absolute_url())
    stages = form.fields["stage"].queryset  # type: ignore[attr-defined]
    return render_page(
        request,
        "crm/deal_lost.html",
        {"deal": deal, "form": form, "lost_stages": list(stages), "active_nav": "deals"},
        partial="lost-form",
    )


@require_POST
@write_required
def deal_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Drop a card: stage and neighbours come from the board; answers the refreshed board."""
    user = user_of(request)
    deal = editable_or_404(Deal.objects.select_related("pipeline"), user, pk)
    stage = get_object_or_404(Stage, pk=parse_record_id(request.POST.get("stage")))
    neighbours = Deal.objects.visible_to(user).filter(stage=stage)
    above_id = parse_record_id(request.POST.get("above"))
    below_id = parse_record_id(request.POST.get("below"))
    above = neighbours.filter(pk=above_id).first() if above_id else None
    below = neighbours.filter(pk=below_id).first() if below_id else None
    try:
        services.deal_move(
            deal=deal,
            stage=stage,
            by=user,
            above=above,
            below=below,
            lost_reason=request.POST.get("lost_reason"),
        )
    except CrmError as error:
        if not getattr(request, "htmx", False):
            messages.error(request, str(error))
        return HttpResponse(str(error), status=400)
    if request.POST.get("next") == "detail":
        return redirect_after_post(request, deal.get_absolute_url())
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Trigger"] = board_changed(deal, stage)
        return response
    return redirect_after_post(request, deal.pipeline.get_absolute_url())


@require_http_methods(["GET", "POST"])
@write_required
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    """Convert a lead into a contact, a company and (optionally) a deal, in one step."""
    user = user_of(request)
    lead = editable_or_404(Lead.objects.all(), user, pk)
    if lead.is_converted:
        messages.info(request, _("This lead has already been converted."))
        return redirect_after_post(request, lead.get_absolute_url())
    form = LeadConvertForm(
        request.POST or None,
        user=user,
        initial={"deal_title": lead.company_name or lead.name, "create_deal": True},
    )
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            result = services.lead_convert(
                lead=lead,
                by=user,
                company=data["company"],
                create_deal=data["create_deal"],
                deal_title=data["deal_title"],
                deal_amount=data["deal_amount"],
                pipeline=data["pipeline"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        except CrmError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Lead converted."))
            target = result.deal or result.contact
            return redirect_after_post(request, target.get_absolute_url())
    return render_page(
        request, "crm/lead_convert.html", {"lead": lead, "form": form, "active_nav": "leads"}
    )
